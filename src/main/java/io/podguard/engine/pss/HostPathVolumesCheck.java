package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * HostPath volumes must be forbidden.
 *
 * <p>Restricted fields: {@code spec.volumes[*].hostPath}.
 *
 * <p>Allowed values: undefined/null.
 */
public final class HostPathVolumesCheck {

    public static final String ID = "hostPathVolumes";

    public static final Check CHECK = new Check(ID, Level.BASELINE,
            List.of(new CheckVersion(PssVersion.of(0), HostPathVolumesCheck::v1_0)));

    private HostPathVolumesCheck() {
    }

    static CheckResult v1_0(ObjectMeta meta, PodSpec spec) {
        List<Volume> volumes = spec.getVolumes();
        if (volumes == null) {
            return CheckResult.ALLOWED;
        }
        List<String> names = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < volumes.size(); i++) {
            Volume volume = volumes.get(i);
            if (volume != null && volume.getHostPath() != null) {
                names.add(volume.getName());
                paths.add("spec.volumes[" + i + "].hostPath");
            }
        }
        if (names.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("hostPath volumes",
                Messages.pluralize("volume", "volumes", names.size()) + " " + Messages.joinQuote(names), paths);
    }
}
