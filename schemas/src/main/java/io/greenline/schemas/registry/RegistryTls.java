package io.greenline.schemas.registry;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * TLS for the registry client from Confluent's {@code schema.registry.ssl.*} keys (trust store, and a
 * key store for mutual TLS). Without them the JVM's default trust applies.
 */
final class RegistryTls {
    static final String PREFIX = io.greenline.schemas.serde.AvroSerdeConfig.SSL_PREFIX;

    private RegistryTls() {
    }

    static SSLContext sslContext(Map<String, ?> configs) {
        String trustStore = str(configs, PREFIX + "truststore.location");
        String keyStore = str(configs, PREFIX + "keystore.location");
        try {
            if (trustStore == null && keyStore == null) {
                return SSLContext.getDefault();
            }
            TrustManagerFactory tmf = null;
            if (trustStore != null) {
                KeyStore ts = load(trustStore, str(configs, PREFIX + "truststore.type"), str(configs, PREFIX + "truststore.password"));
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ts);
            }
            KeyManagerFactory kmf = null;
            if (keyStore != null) {
                String password = str(configs, PREFIX + "keystore.password");
                String keyPassword = str(configs, PREFIX + "key.password");
                KeyStore ks = load(keyStore, str(configs, PREFIX + "keystore.type"), password);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                String kp = keyPassword != null ? keyPassword : password;
                kmf.init(ks, kp == null ? null : kp.toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new ConfigException("cannot set up TLS to the schema registry (" + PREFIX + "*): " + e.getMessage());
        }
    }

    private static KeyStore load(String location, String type, String password) throws GeneralSecurityException, java.io.IOException {
        KeyStore store = KeyStore.getInstance(type == null ? "PKCS12" : type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            store.load(in, password == null ? null : password.toCharArray());
        }
        return store;
    }

    private static String str(Map<String, ?> configs, String key) {
        String value = io.greenline.schemas.serde.AvroSerdeConfig.string(configs, key);
        return value == null || value.isBlank() ? null : value;
    }
}
