package dev.qis.cli;

import dev.qis.errors.Reason;
import dev.qis.protocol.NodeIdentity;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code qis keygen}: a new node identity in a key file. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Write a new Ed25519 key pair (PKCS#8 and X.509 PEM, file mode 600) and print the node id.",
            "The node id is 16 hex of SHA-256 of the public key. Publish the key with 'qis register'."})
public final class KeygenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "where to write the key pair (never overwritten)")
    Path out;

    @Override
    public Integer call() {
        NodeIdentity node = NodeIdentity.generate();
        try {
            node.write(out);
        } catch (FileAlreadyExistsException e) {
            throw new InputException(Reason.FILE_EXISTS,
                    "--out " + out + ": the file exists; refusing to overwrite a key", e);
        } catch (IOException e) {
            throw new InputException(Reason.FILE_UNWRITABLE, "--out " + out + ": cannot write: " + e.getMessage(), e);
        }
        spec.commandLine().getOut().println(node.nodeId());
        spec.commandLine().getErr().println("wrote the key pair of node " + node.nodeId() + " to " + out + " (mode 600)");
        return QisCommand.EXIT_OK;
    }
}
