package dev.qis.simulation.world;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One fine-tuning recipe a node can run: a method and its hyperparameters (LoRA rank, learning rate, epochs, and in
 * the large space also a warmup ratio and a learning-rate scheduler; null in the standard space).
 */
public record Configuration(String method, long r, double lr, long epochs, Double warmupRatio, String scheduler) {
    public static final String HP_RANK = "r";
    public static final String HP_LR = "lr";
    public static final String HP_EPOCHS = "epochs";
    public static final String HP_WARMUP = "warmup_ratio";
    public static final String HP_SCHEDULER = "scheduler";

    /** A configuration of the standard space. */
    public Configuration(String method, long r, double lr, long epochs) {
        this(method, r, lr, epochs, null, null);
    }

    /**
     * The hyperparameters as they travel in a packet: r and epochs as longs, lr (and warmup_ratio) as a double,
     * scheduler as text.
     */
    public Map<String, Object> hyperparams() {
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put(HP_RANK, r);
        hp.put(HP_LR, lr);
        hp.put(HP_EPOCHS, epochs);
        if (warmupRatio != null) {
            hp.put(HP_WARMUP, warmupRatio);
        }
        if (scheduler != null) {
            hp.put(HP_SCHEDULER, scheduler);
        }
        return hp;
    }

    public String label() {
        return method + " r=" + r + " lr=" + lr + " epochs=" + epochs
                + (warmupRatio == null ? "" : " warmup_ratio=" + warmupRatio)
                + (scheduler == null ? "" : " scheduler=" + scheduler);
    }
}
