package dev.onsale.common;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The methods the router serves on a path, for the {@code 405} and {@code Allow} header of a
 * request that names a known path with a method it does not serve. Read once from the router's
 * routes (path routes bound to methods), after every module has mounted its own.
 */
final class AllowedMethods {

  private record Entry(PathTemplate path, Set<HttpMethod> methods) {}

  private final Router router;
  private volatile List<Entry> entries;

  AllowedMethods(Router router) {
    this.router = router;
  }

  /** The methods served on this path, by name; empty when no route names the path. */
  Set<String> on(String path) {
    Set<String> allowed = new TreeSet<>();
    for (Entry entry : entries()) {
      if (entry.path().matches(path)) {
        entry.methods().forEach(m -> allowed.add(m.name()));
      }
    }
    return allowed;
  }

  static String header(Set<String> methods) {
    return methods.stream().collect(Collectors.joining(", "));
  }

  private List<Entry> entries() {
    List<Entry> known = entries;
    if (known == null) {
      known = new ArrayList<>();
      for (Route route : router.getRoutes()) {
        Set<HttpMethod> methods = route.methods();
        String path = route.getPath();
        // A template with parameters reports itself as a regex route, yet keeps its path.
        if (methods == null || methods.isEmpty() || path == null) {
          continue;
        }
        known.add(new Entry(PathTemplate.of(route.isExactPath() ? path : path.endsWith("/") ? path + "*" : path), Set.copyOf(methods)));
      }
      entries = known;
    }
    return known;
  }
}
