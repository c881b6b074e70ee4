package dev.onsale.app;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.sale.Migrations;
import java.util.List;
import java.util.concurrent.Callable;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The launcher: {@code onsale [serve|migrate|demo]}. */
@Command(
    name = "onsale",
    mixinStandardHelpOptions = true,
    version = "onsale 0.1.0",
    description = "A reactive on-sale server for high-demand ticket sales.%n"
        + "Configuration comes from ONSALE_* environment variables (see the README).",
    subcommands = {Onsale.Serve.class, Onsale.Migrate.class, Demo.class, CheckInvariants.class})
public final class Onsale implements Callable<Integer> {

  public static void main(String[] args) {
    CommandLine commandLine = new CommandLine(new Onsale());
    System.exit(commandLine.execute(args));
  }

  /** With no command, serve. */
  @Override
  public Integer call() throws Exception {
    return new Serve().call();
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Run Onsale with the roles in ONSALE_ROLES (default web,workers,ops).")
  static final class Serve implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      OnsaleConfig config;
      try {
        config = OnsaleConfig.fromEnvironment().validate();
      } catch (IllegalArgumentException | IllegalStateException e) {
        // A configuration mistake, said in one line, not a stack trace.
        System.err.println("onsale refuses to start: " + e.getMessage());
        return 1;
      }
      Foreground.awaitShutdown(Foreground.startOrExit(config, List.of()));
      return 0;
    }
  }

  @Command(name = "migrate", mixinStandardHelpOptions = true,
      description = "Create the database in ONSALE_PG_URL when missing and apply the migrations.")
  static final class Migrate implements Callable<Integer> {
    @Override
    public Integer call() {
      OnsaleConfig config = OnsaleConfig.fromEnvironment();
      MigrateResult result = Migrations.migrate(config.pgUrl());
      System.out.println("database migrated: " + result.migrationsExecuted + " migration(s) applied, schema version "
          + (result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion));
      return 0;
    }
  }
}
