package io.podguard.kube;

/** No usable kubeconfig or context; the message is one line naming the cause, for the user. */
public final class KubeconfigException extends IllegalArgumentException {

    public KubeconfigException(String message) {
        super(message);
    }
}
