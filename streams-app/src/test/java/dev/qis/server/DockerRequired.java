package dev.qis.server;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Skips a container test class with one line saying why when no Docker daemon answers (Testcontainers' own probe
 * logs are silenced in the failsafe configuration).
 */
final class DockerRequired implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (DockerClientFactory.instance().isDockerAvailable()) {
            return ConditionEvaluationResult.enabled("Docker answers");
        }
        String reason = "no Docker daemon answers: " + context.getRequiredTestClass().getSimpleName()
                + " skipped (DomainTopicsReadableIT runs the same assertions on the in-JVM broker and registry)";
        if (context.getTestMethod().isEmpty()) {
            System.out.println("qis: " + reason);
        }
        return ConditionEvaluationResult.disabled(reason);
    }
}
