package dev.onsale.sale;

import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Flyway migrations, run at start-up and by {@code onsale migrate}. Blocking (JDBC): call it from
 * {@code main} or {@code executeBlocking}, never from an event loop.
 */
public final class Migrations {

  private Migrations() {}

  /** Creates the database named in the URL when it is missing, then migrates it. */
  public static MigrateResult migrate(String pgUrl) {
    PgConnectOptions options = PgConnectOptions.fromUri(pgUrl);
    createDatabaseIfMissing(options);
    return Flyway.configure()
        .dataSource(jdbcUrl(options, options.getDatabase()), options.getUser(), options.getPassword())
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  static String jdbcUrl(PgConnectOptions options, String database) {
    return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + database;
  }

  private static void createDatabaseIfMissing(PgConnectOptions options) {
    String database = options.getDatabase();
    if (!database.matches("[A-Za-z0-9_]{1,63}")) {
      throw new IllegalArgumentException("database name '" + database + "' must be letters, digits and _");
    }
    try (Connection admin = DriverManager.getConnection(
        jdbcUrl(options, "postgres"), options.getUser(), options.getPassword())) {
      try (PreparedStatement exists = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
        exists.setString(1, database);
        try (ResultSet rows = exists.executeQuery()) {
          if (rows.next()) {
            return;
          }
        }
      }
      try (Statement create = admin.createStatement()) {
        create.execute("CREATE DATABASE " + database);
      }
    } catch (SQLException e) {
      if ("42P04".equals(e.getSQLState())) {
        return; // created meanwhile by another instance
      }
      throw new IllegalStateException("cannot create database " + database + ": " + e.getMessage(), e);
    }
  }
}
