package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.JobQueue;
import dev.onsale.common.testing.TestEnv;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogType;

@DisplayName("The ops page in a browser")
class OpsPageBrowserTest {

  private RunningApp app;
  private Browser browser;

  @BeforeEach
  void start() {
    // No worker role: the webhooks queue's workers are "down", so its jobs pile up.
    app = RunningApp.start(TestEnv.freshConfig(Map.of(
        "ONSALE_ROLES", "web,ops",
        "ONSALE_QUEUE_WEBHOOKS_ALERT_THRESHOLD", "5",
        "ONSALE_QUEUE_MONITOR_INTERVAL_MS", "300")));
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  @DisplayName("asks for the organizer token, then shows each job queue live, with the alert of a queue past its threshold")
  void showsJobQueuesAndAlerts() {
    browser = app.add(Browser.open());
    String base = "http://127.0.0.1:" + app.port();
    browser.driver.get(base + "/ops");
    WebElement token = browser.waiting(10).until(d -> {
      WebElement field = d.findElement(By.id("token"));
      return field.isDisplayed() ? field : null;
    });
    browser.screenshot("ops-login");
    token.sendKeys("wrong-token");
    browser.driver.findElement(By.cssSelector("#login-form button")).click();
    browser.waiting(10).until(d -> d.findElement(By.id("login-error")).getText().contains("not accepted"));

    token.clear();
    token.sendKeys(app.services().config().adminToken());
    browser.driver.findElement(By.cssSelector("#login-form button")).click();
    browser.waiting(10).until(d -> d.findElements(By.cssSelector("#queues tbody tr")).size() == JobQueue.values().length);

    String stream = app.services().keys().stream(JobQueue.WEBHOOKS);
    for (int i = 0; i < 8; i++) {
      await(app.services().redisApi().xadd(List.of(stream, "*", "id", String.valueOf(i), "type", "order.created", "payload", "{}")));
    }
    String webhooksRow = "#queues tr[data-queue='webhooks']";
    browser.waiting(15).until(d -> browser.text(webhooksRow).contains("ALERT"));
    String row = browser.text(webhooksRow);
    assertThat(row).contains("webhooks").contains("8").contains("ALERT");
    assertThat(browser.text("#queues tr[data-queue='mail']")).contains("OK");
    assertThat(browser.driver.findElements(By.cssSelector("#queue-chart canvas"))).isNotEmpty();
    browser.waiting(10).until(d -> d.findElement(By.id("status")).getText().startsWith("live"));
    browser.screenshot("ops-queue-alert");
    assertThat(browser.driver.manage().logs().get(LogType.BROWSER).getAll())
        .as("no script errors or CSP violations in the console")
        .noneMatch(entry -> entry.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()
            && !entry.getMessage().contains("Failed to load resource")); // the wrong token's 401 above
  }
}
