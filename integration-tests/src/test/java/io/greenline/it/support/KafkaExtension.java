package io.greenline.it.support;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects the shared {@link KafkaFixture} into test methods, constructors and
 * lifecycle methods: {@code @ExtendWith(KafkaExtension.class)}, then declare a {@code KafkaFixture}
 * parameter.
 */
public final class KafkaExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context)
            throws ParameterResolutionException {
        return parameter.getParameter().getType() == KafkaFixture.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context)
            throws ParameterResolutionException {
        return KafkaFixture.shared();
    }
}
