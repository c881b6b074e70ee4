package dev.onsale.sale;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the jobs a piece of SQL writes into the outbox: every {@code INSERT INTO outbox (queue,
 * type, payload)}, with {@code VALUES} rows or a {@code SELECT}, gives its queue, its type and the
 * keys of its {@code jsonb_build_object} payload. A type that is a function's parameter (as
 * {@code complete_paid_order}'s {@code p_mail}) is read from every call of that function with a
 * literal in its place; a statement's own parameter ({@code $2}) from what the Java code binds.
 * What it cannot read is reported as a problem, never skipped.
 */
public final class OutboxWrites {

  /** One SQL text and where it comes from (a migration's file name, a Java constant's name). */
  public record Source(String name, String sql) {}

  /** A job written: where (source and line), its queue and type literals, its payload's keys. */
  public record Job(String where, String queue, String type, List<String> payloadKeys) {
    public String pair() {
      return "('" + queue + "', '" + type + "')";
    }
  }

  /** The jobs read, and what could not be read (each naming its source and line). */
  public record Result(List<Job> jobs, List<String> problems) {}

  private static final Pattern INSERT = Pattern.compile("(?i)\\bINSERT\\s+INTO\\s+outbox\\b");
  private static final Pattern COLUMNS = Pattern.compile("(?i)\\G\\s*\\(\\s*queue\\s*,\\s*type\\s*,\\s*payload\\s*\\)\\s*");
  private static final Pattern FUNCTION = Pattern.compile("(?i)\\bCREATE\\s+(?:OR\\s+REPLACE\\s+)?FUNCTION\\s+(\\w+)\\s*\\(");
  private static final Pattern LITERAL = Pattern.compile("'((?:[^']|'')*)'");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_]\\w*");
  private static final Pattern PARAMETER = Pattern.compile("\\$\\d+");

  private OutboxWrites() {}

  /**
   * Reads the jobs of {@code sources}; a function parameter is looked up among all of them, a
   * statement parameter ({@code $n}) in {@code bound}.
   */
  public static Result read(List<Source> sources, Map<String, String> bound) {
    List<Source> plain = sources.stream().map(s -> new Source(s.name(), withoutComments(s.sql()))).toList();
    List<Job> jobs = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Source source : plain) {
      Matcher insert = INSERT.matcher(source.sql());
      while (insert.find()) {
        String where = source.name() + ":" + line(source.sql(), insert.start());
        Matcher columns = COLUMNS.matcher(source.sql());
        if (!columns.find(insert.end())) {
          problems.add(where + ": an INSERT INTO outbox without the columns (queue, type, payload) in that order");
          continue;
        }
        int end = statementEnd(source.sql(), columns.end());
        String body = source.sql().substring(columns.end(), end).trim();
        for (List<String> row : rows(body)) {
          if (row.size() < 3) {
            problems.add(where + ": cannot read the row " + row);
            continue;
          }
          job(where, row, source, columns.end(), plain, bound, jobs, problems);
        }
      }
    }
    return new Result(jobs, problems);
  }

  private static void job(String where, List<String> row, Source source, int offset, List<Source> all,
      Map<String, String> bound, List<Job> jobs, List<String> problems) {
    String queue = literal(row.get(0));
    if (queue == null) {
      problems.add(where + ": the queue " + row.get(0) + " is not a literal");
      return;
    }
    List<String> keys = payloadKeys(row.get(2));
    if (keys == null) {
      problems.add(where + ": the payload " + abbreviate(row.get(2)) + " is not a jsonb_build_object with literal keys");
      return;
    }
    String type = row.get(1).trim();
    if (literal(type) != null) {
      jobs.add(new Job(where, queue, literal(type), keys));
    } else if (PARAMETER.matcher(type).matches()) {
      if (bound.containsKey(type)) {
        jobs.add(new Job(where, queue, bound.get(type), keys));
      } else {
        problems.add(where + ": the type " + type + " is a statement parameter the test does not bind");
      }
    } else if (IDENTIFIER.matcher(type).matches()) {
      callers(where, queue, type, keys, source, offset, all, jobs, problems);
    } else {
      problems.add(where + ": cannot read the type " + type);
    }
  }

  /** The type is a parameter of the function around the INSERT: every call gives one job. */
  private static void callers(String where, String queue, String parameter, List<String> keys, Source source,
      int offset, List<Source> all, List<Job> jobs, List<String> problems) {
    Matcher function = FUNCTION.matcher(source.sql());
    String name = null;
    int index = -1;
    while (function.find() && function.start() < offset) {
      int close = closing(source.sql(), function.end() - 1);
      List<String> params = split(source.sql().substring(function.end(), close));
      name = function.group(1);
      index = -1;
      for (int i = 0; i < params.size(); i++) {
        if (params.get(i).trim().split("\\s+")[0].equalsIgnoreCase(parameter)) {
          index = i;
        }
      }
    }
    if (name == null || index < 0) {
      problems.add(where + ": the type " + parameter + " is neither a literal nor a parameter of the function around it");
      return;
    }
    Pattern call = Pattern.compile("(?i)\\b" + name + "\\s*\\(");
    Pattern definition = Pattern.compile("(?i)FUNCTION\\s+(?:IF\\s+EXISTS\\s+)?$");
    int calls = 0;
    for (Source caller : all) {
      Matcher m = call.matcher(caller.sql());
      while (m.find()) {
        String before = caller.sql().substring(Math.max(0, m.start() - 40), m.start());
        if (definition.matcher(before).find()) {
          continue;
        }
        calls++;
        String callWhere = caller.name() + ":" + line(caller.sql(), m.start());
        List<String> args = split(caller.sql().substring(m.end(), closing(caller.sql(), m.end() - 1)));
        String type = index < args.size() ? literal(args.get(index)) : null;
        if (type == null) {
          problems.add(callWhere + ": " + name + "(...) gives the job type " + parameter + " (written at " + where
              + ") as " + (index < args.size() ? args.get(index).trim() : "nothing") + ", not a literal");
        } else {
          jobs.add(new Job(callWhere + " via " + where, queue, type, keys));
        }
      }
    }
    if (calls == 0) {
      problems.add(where + ": the type is " + name + "'s parameter " + parameter + ", and nothing calls " + name);
    }
  }

  /** The rows of {@code VALUES (..), (..)} or the select list of {@code SELECT .., .., ..}. */
  private static List<List<String>> rows(String body) {
    List<List<String>> rows = new ArrayList<>();
    if (body.regionMatches(true, 0, "VALUES", 0, 6)) {
      int at = 6;
      while (true) {
        while (at < body.length() && (Character.isWhitespace(body.charAt(at)) || body.charAt(at) == ',')) {
          at++;
        }
        if (at >= body.length() || body.charAt(at) != '(') {
          return rows;
        }
        int close = closing(body, at);
        rows.add(split(body.substring(at + 1, close)));
        at = close + 1;
      }
    }
    if (body.regionMatches(true, 0, "SELECT", 0, 6)) {
      rows.add(split(body.substring(6)));
    } else {
      rows.add(List.of(body));
    }
    return rows;
  }

  /** The literal keys of the first {@code jsonb_build_object(...)}, or null. */
  private static List<String> payloadKeys(String expression) {
    Matcher build = Pattern.compile("(?i)^\\s*jsonb_build_object\\s*\\(").matcher(expression);
    if (!build.find()) {
      return null;
    }
    List<String> args = split(expression.substring(build.end(), closing(expression, build.end() - 1)));
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < args.size(); i += 2) {
      String key = literal(args.get(i));
      if (key == null) {
        return null;
      }
      keys.add(key);
    }
    return keys;
  }

  private static String literal(String expression) {
    Matcher m = LITERAL.matcher(expression.trim());
    return m.matches() ? m.group(1).replace("''", "'") : null;
  }

  /** Splits on the commas outside parentheses and quotes. */
  static List<String> split(String text) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    int from = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && c == '(') {
        depth++;
      } else if (!quoted && c == ')') {
        depth--;
      } else if (!quoted && depth == 0 && c == ',') {
        parts.add(text.substring(from, i).trim());
        from = i + 1;
      }
    }
    parts.add(text.substring(from).trim());
    return parts;
  }

  /** The index of the parenthesis closing the one at {@code open}. */
  private static int closing(String text, int open) {
    int depth = 0;
    boolean quoted = false;
    for (int i = open; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && c == '(') {
        depth++;
      } else if (!quoted && c == ')' && --depth == 0) {
        return i;
      }
    }
    throw new IllegalArgumentException("unbalanced parentheses after: " + abbreviate(text.substring(open)));
  }

  /** Where the statement from {@code from} ends: its semicolon, the parenthesis around it (a CTE), or the text's end. */
  private static int statementEnd(String text, int from) {
    int depth = 0;
    boolean quoted = false;
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && c == '(') {
        depth++;
      } else if (!quoted && c == ')' && --depth < 0) {
        return i;
      } else if (!quoted && c == ';' && depth == 0) {
        return i;
      }
    }
    return text.length();
  }

  /** The text with its {@code --} comments blanked (line numbers kept), so an apostrophe in one misleads nothing. */
  private static String withoutComments(String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    boolean quoted = false;
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (!quoted && c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
        while (i < sql.length() && sql.charAt(i) != '\n') {
          i++;
        }
        if (i < sql.length()) {
          out.append('\n');
        }
        continue;
      }
      if (c == '\'') {
        quoted = !quoted;
      }
      out.append(c);
    }
    return out.toString();
  }

  private static int line(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  private static String abbreviate(String text) {
    String flat = text.replaceAll("\\s+", " ").trim();
    return flat.length() > 60 ? flat.substring(0, 60) + "..." : flat;
  }
}
