package dev.onsale.common;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits between Netty's HTTP/1 decoder and Vert.x on each connection, for two requests Vert.x would
 * otherwise answer badly: an HTTP version other than 1.0 and 1.1 ({@code HTTP/9.9}, the HTTP/2
 * preface {@code PRI * HTTP/2.0} on a cleartext HTTP/1 port), which Vert.x answers 501 with no body
 * before any handler runs, becomes an invalid HTTP/1.1 request that
 * {@link WebVerticle#invalidRequest} answers {@code 505} as JSON; and a body the decoder cannot
 * read (a chunk size that is no number), on which Vert.x drops the connection, is answered
 * {@code 400} as JSON before the connection closes.
 */
final class HttpGuard extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(HttpGuard.class);
  static final String NAME = "onsale-http-guard";

  /** A request whose HTTP version this server does not speak. */
  static final class UnsupportedVersion extends RuntimeException {
    UnsupportedVersion(String version) {
      super("unsupported HTTP version " + version, null, false, false);
    }
  }

  private boolean broken;

  /** Puts a guard on a new connection, before Vert.x reads its first request. */
  static void install(HttpConnection connection) {
    if (connection instanceof ConnectionBase base && base.channel().pipeline().get("httpDecoder") != null
        && base.channel().pipeline().get("handler") != null && base.channel().pipeline().get(NAME) == null) {
      base.channel().pipeline().addBefore("handler", NAME, new HttpGuard());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (broken) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request && request.decoderResult().isSuccess() && !spoken(request.protocolVersion())) {
      String version = request.protocolVersion().text();
      request.setProtocolVersion(HttpVersion.HTTP_1_1);
      request.setDecoderResult(DecoderResult.failure(new UnsupportedVersion(version.length() > 20 ? version.substring(0, 20) : version)));
    } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
      broken = true;
      LOG.debug("unreadable request body: {}", String.valueOf(content.decoderResult().cause()));
      ReferenceCountUtil.release(msg);
      answerAndClose(ctx);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private static boolean spoken(HttpVersion version) {
    return version.majorVersion() == 1 && (version.minorVersion() == 0 || version.minorVersion() == 1);
  }

  private static void answerAndClose(ChannelHandlerContext ctx) {
    ApiException error = ApiException.badRequest("bad_request", "the request body could not be read");
    DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
        Unpooled.copiedBuffer(error.body().encode(), StandardCharsets.UTF_8));
    MultiMap headers = SecurityHeaders.setOn(MultiMap.caseInsensitiveMultiMap());
    headers.forEach(h -> response.headers().set(h.getKey(), h.getValue()));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .set(HttpHeaderNames.CONNECTION, "close")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
