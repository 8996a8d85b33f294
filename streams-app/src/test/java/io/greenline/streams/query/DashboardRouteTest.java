package io.greenline.streams.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.streams.app.GreenlineApp;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's files are served by every instance at {@code /} without the API's bearer token (the page
 * asks for it and sends it to {@code /api} and {@code /pact}), and the line-config route the page colours
 * OEE with answers 503, not 500, while the stores cannot be queried. The page itself is driven in a real
 * browser by DashboardIT.
 */
class DashboardRouteTest {

    private static final String TOKEN = "dash-t0ken";

    @TempDir
    static Path stateDir;

    private static GreenlineApp securedApp;

    @BeforeAll
    static void start() throws Exception {
        securedApp = new GreenlineApp(QueryServerTest.settings(QueryServerTest.freePort(), stateDir.toString(), TOKEN),
                QueryServerTest.topology()).start();
    }

    @AfterAll
    static void stop() {
        securedApp.close();
    }

    @Test
    @DisplayName("GET / is the dashboard page, and its script and style sheet are served, with no token")
    void pageAndAssetsWithoutToken() throws Exception {
        HttpResponse<String> page = QueryServerTest.get(securedApp, "/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("<title>Greenline", "app.js", "app.css", "token-dialog");

        HttpResponse<String> script = QueryServerTest.get(securedApp, "/app.js", null);
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.body()).contains("/api/v1/lines", "X-Greenline-Stale", "Authorization");
        assertThat(QueryServerTest.get(securedApp, "/app.css", null).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("the API behind the page still needs the token: 401 with WWW-Authenticate, which makes the page ask for it")
    void apiStillNeedsTheToken() throws Exception {
        HttpResponse<String> lines = QueryServerTest.get(securedApp, "/api/v1/lines", null);
        assertThat(lines.statusCode()).isEqualTo(401);
        assertThat(lines.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(QueryServerTest.get(securedApp, "/api/v1/lines/drum-line-1/config", null).statusCode()).isEqualTo(401);
    }

    @Test
    @DisplayName("a line's config while Kafka Streams cannot serve: 503 with Retry-After, never a 500")
    void lineConfigUnavailable() throws Exception {
        HttpResponse<String> config = QueryServerTest.get(securedApp, "/api/v1/lines/drum-line-1/config", TOKEN);
        assertThat(config.statusCode()).as(config.body()).isEqualTo(503);
        assertThat(config.headers().firstValue("Retry-After")).hasValue("7");
    }

    @Test
    @DisplayName("an unknown path is still a JSON 404, not the page")
    void unknownPath() throws Exception {
        HttpResponse<String> missing = QueryServerTest.get(securedApp, "/no-such-page", TOKEN);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("\"error_code\":404");
    }
}
