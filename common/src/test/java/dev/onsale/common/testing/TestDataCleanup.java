package dev.onsale.common.testing;

import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Removes the databases and Redis keys a test class made through {@link TestEnv} as soon as the
 * class finishes (after its {@code @AfterAll}), passed or failed, and once more at the end of the
 * run. Registered through {@code META-INF/services}, so every module whose tests use the common
 * test jar gets it. Classes run one after another in a test JVM, so what was made while a class ran
 * is that class's.
 */
public final class TestDataCleanup implements TestExecutionListener {

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (test.getSource().orElse(null) instanceof ClassSource source && source.getJavaClass().getEnclosingClass() == null) {
      report(source.getClassName(), TestEnv.removeCreated(false));
    }
  }

  @Override
  public void testPlanExecutionFinished(TestPlan plan) {
    report("the test run", TestEnv.removeCreated(true));
  }

  private static void report(String what, List<String> failed) {
    if (!failed.isEmpty()) {
      System.err.println("Could not remove the test data of " + what + ": " + failed);
    }
  }
}
