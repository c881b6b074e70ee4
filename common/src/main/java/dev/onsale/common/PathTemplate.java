package dev.onsale.common;

import java.util.regex.Pattern;

/**
 * A Vert.x Web route path ({@code /api/v1/events/:eventId/queue}, a trailing {@code *} for a
 * prefix) as a matcher of request paths, for decisions taken before or after routing: which
 * paths take a raw body, which methods a path serves.
 */
public record PathTemplate(String template, Pattern pattern) {

  public static PathTemplate of(String template) {
    StringBuilder regex = new StringBuilder();
    boolean prefix = template.endsWith("*");
    String body = prefix ? template.substring(0, template.length() - 1) : template;
    for (String part : body.split("(?=/)")) {
      if (part.startsWith("/:")) {
        regex.append("/[^/]+");
      } else {
        regex.append(Pattern.quote(part));
      }
    }
    if (prefix) {
      regex.append(".*");
    } else {
      regex.append("/?");
    }
    return new PathTemplate(template, Pattern.compile(regex.toString()));
  }

  public boolean matches(String path) {
    return path != null && pattern.matcher(path).matches();
  }
}
