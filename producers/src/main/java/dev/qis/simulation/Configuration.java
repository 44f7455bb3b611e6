package dev.qis.simulation;

import java.util.LinkedHashMap;
import java.util.Map;

/** One fine-tuning recipe a node can run: a method and its hyperparameters (LoRA rank, learning rate, epochs). */
public record Configuration(String method, long r, double lr, long epochs) {
    public static final String HP_RANK = "r";
    public static final String HP_LR = "lr";
    public static final String HP_EPOCHS = "epochs";

    /** The hyperparameters as they travel in a packet: r and epochs as longs, lr as a double. */
    public Map<String, Object> hyperparams() {
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put(HP_RANK, r);
        hp.put(HP_LR, lr);
        hp.put(HP_EPOCHS, epochs);
        return hp;
    }

    public String label() {
        return method + " r=" + r + " lr=" + lr + " epochs=" + epochs;
    }
}
