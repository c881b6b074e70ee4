package dev.onsale.app;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Headless Chromium from the Debian packages; never downloads a browser or a driver. */
final class Browser implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  final ChromeDriver driver;

  private Browser(ChromeDriver driver) {
    this.driver = driver;
  }

  /** Skips the calling test when Chromium is not installed (scripts/ensure-test-tools.sh installs it). */
  static Browser open() {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "headless Chromium is not installed: run scripts/ensure-test-tools.sh as root");
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions()
        .setBinary(CHROMIUM.toFile())
        .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=en-GB");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(1400, 1000));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return new Browser(driver);
  }

  WebDriverWait waiting(int seconds) {
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100));
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  /** The text of the first element matching a CSS selector, read in one step (live pages re-render). */
  String text(String css) {
    Object text = driver.executeScript("var n = document.querySelector(arguments[0]); return n ? n.innerText : null;", css);
    return text == null ? "" : text.toString();
  }

  /** Saves the page as target/screenshots/{name}.png and answers where. */
  Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path target = SCREENSHOTS.resolve(name + ".png");
      Path taken = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(taken, target, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Screenshots of the full page height, for long pages. */
  Path fullScreenshot(String name) {
    return fullScreenshot(name, 1400);
  }

  /** Screenshots of the full page height at {@code width} CSS pixels (below 600 as a phone), then back to that width. */
  Path fullScreenshot(String name, int width) {
    Object height = driver.executeScript("return document.documentElement.scrollHeight");
    int h = Math.min(4000, Math.max(width < 600 ? 800 : 1000, ((Number) height).intValue()));
    // Headless Chromium keeps its window size; the DevTools protocol makes the viewport as tall as the page.
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        java.util.Map.of("width", width, "height", h, "deviceScaleFactor", 1, "mobile", width < 600));
    try {
      return screenshot(name);
    } finally {
      if (width == 1400) {
        driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", java.util.Map.of());
      } else {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
            java.util.Map.of("width", width, "height", 800, "deviceScaleFactor", 1, "mobile", width < 600));
      }
    }
  }

  WebDriver driver() {
    return driver;
  }

  @Override
  public void close() {
    driver.quit();
  }
}
