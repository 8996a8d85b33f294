package io.greenline.local.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RegistryTokenTest {

    private static final byte[] TOKEN = "s3cret".getBytes(StandardCharsets.UTF_8);

    private static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("the token is accepted as a bearer token (scheme in any case) or as the password of Basic auth with any user")
    void accepted() {
        assertThat(EmbeddedSchemaRegistry.presentsToken("Bearer s3cret", TOKEN)).isTrue();
        assertThat(EmbeddedSchemaRegistry.presentsToken("bearer s3cret", TOKEN)).isTrue();
        assertThat(EmbeddedSchemaRegistry.presentsToken(basic("greenline:s3cret"), TOKEN)).isTrue();
        assertThat(EmbeddedSchemaRegistry.presentsToken(basic("someone:s3cret"), TOKEN)).isTrue();
    }

    @Test
    @DisplayName("no header, another token, the token as user name, a broken Basic value or an unknown scheme are refused")
    void refused() {
        assertThat(EmbeddedSchemaRegistry.presentsToken(null, TOKEN)).isFalse();
        assertThat(EmbeddedSchemaRegistry.presentsToken("Bearer s3cre", TOKEN)).isFalse();
        assertThat(EmbeddedSchemaRegistry.presentsToken("Bearer", TOKEN)).isFalse();
        assertThat(EmbeddedSchemaRegistry.presentsToken(basic("s3cret:"), TOKEN)).isFalse();
        assertThat(EmbeddedSchemaRegistry.presentsToken(basic("s3cret"), TOKEN)).isFalse();
        assertThat(EmbeddedSchemaRegistry.presentsToken("Basic %%%", TOKEN)).isFalse();
        assertThat(EmbeddedSchemaRegistry.presentsToken("Token s3cret", TOKEN)).isFalse();
    }
}
