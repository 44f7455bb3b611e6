package dev.qis.cli;

import dev.qis.errors.Reason;
import dev.qis.protocol.NodeIdentity;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The node's key file: {@code --key FILE}, else the file named by {@code $QIS_KEY_FILE}. */
public final class KeyOptions {
    public static final String ENV_KEY_FILE = "QIS_KEY_FILE";

    @Option(names = "--key", paramLabel = "FILE", defaultValue = "${env:" + ENV_KEY_FILE + "}",
            description = "the node's key file, written by 'qis keygen' (default: $" + ENV_KEY_FILE + ")")
    Path keyFile;

    public boolean given() {
        return keyFile != null;
    }

    /** The node identity; a missing or unreadable key file is an input error (exit 2). */
    public NodeIdentity identity() {
        if (keyFile == null) {
            throw new InputException(Reason.MISSING_SETTING,
                    "--key: no key file given (use --key FILE or set " + ENV_KEY_FILE
                    + "; create one with 'qis keygen --out FILE')");
        }
        try {
            return NodeIdentity.read(keyFile);
        } catch (IOException e) {
            throw new InputException(Reason.FILE_UNREADABLE,
                    "--key " + keyFile + ": cannot read the key file: " + e, e);
        }
    }
}
