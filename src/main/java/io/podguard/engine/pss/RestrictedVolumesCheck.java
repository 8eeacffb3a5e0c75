package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Besides hostPath, the restricted level limits inline volume sources to {@code configMap},
 * {@code csi}, {@code downwardAPI}, {@code emptyDir}, {@code ephemeral}, {@code image},
 * {@code persistentVolumeClaim}, {@code projected} and {@code secret}.
 *
 * <p>Restricted fields: every other {@code spec.volumes[*]} source ({@code hostPath},
 * {@code gcePersistentDisk}, {@code awsElasticBlockStore}, {@code gitRepo}, {@code nfs}, …), and
 * sources podguard does not know at all: a volume whose only source is unknown is reported as
 * type {@code unknown}, as PSA reports one it cannot name. A volume with no source at all is
 * allowed: the apiserver defaults it to {@code emptyDir} before admission.
 *
 * <p>Allowed values: undefined/null. Replaces baseline {@code hostPathVolumes}.
 */
public final class RestrictedVolumesCheck {

    public static final String ID = "restrictedVolumes";

    public static final Check CHECK = new Check(ID, Level.RESTRICTED, List.of(
            new CheckVersion(PssVersion.of(0), RestrictedVolumesCheck::v1_0, List.of(HostPathVolumesCheck.ID))));

    private RestrictedVolumesCheck() {
    }

    static CheckResult v1_0(ObjectMeta meta, PodSpec spec) {
        List<Volume> volumes = spec.getVolumes();
        if (volumes == null) {
            return CheckResult.ALLOWED;
        }
        List<String> bad = new ArrayList<>();
        TreeSet<String> types = new TreeSet<>();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < volumes.size(); i++) {
            Volume v = volumes.get(i);
            if (v == null || allowed(v)) {
                continue;
            }
            bad.add(v.getName());
            String type = restrictedType(v);
            types.add(type);
            paths.add("spec.volumes[" + i + "]" + ("unknown".equals(type) ? "" : "." + type));
        }
        if (bad.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("restricted volume types",
                Messages.pluralize("volume", "volumes", bad.size()) + " " + Messages.joinQuote(bad) + " "
                        + Messages.pluralize("uses", "use", bad.size()) + " "
                        + Messages.pluralize("restricted volume type", "restricted volume types", types.size()) + " "
                        + Messages.joinQuote(types), paths);
    }

    private static boolean allowed(Volume v) {
        return isDefaultedToEmptyDir(v)
                || v.getConfigMap() != null
                || v.getCsi() != null
                || v.getDownwardAPI() != null
                || v.getEmptyDir() != null
                || v.getEphemeral() != null
                || v.getImage() != null
                || v.getPersistentVolumeClaim() != null
                || v.getProjected() != null
                || v.getSecret() != null;
    }

    /**
     * A volume with no source at all is given an {@code emptyDir} by the apiserver's defaulting
     * before admission, so PSA sees an emptyDir. A source podguard's model does not know lands in
     * the additional properties and is not such a volume.
     */
    private static boolean isDefaultedToEmptyDir(Volume v) {
        return v.getAdditionalProperties().isEmpty()
                && v.getHostPath() == null && v.getGcePersistentDisk() == null && v.getAwsElasticBlockStore() == null
                && v.getGitRepo() == null && v.getNfs() == null && v.getIscsi() == null && v.getGlusterfs() == null
                && v.getRbd() == null && v.getFlexVolume() == null && v.getCinder() == null && v.getCephfs() == null
                && v.getFlocker() == null && v.getFc() == null && v.getAzureFile() == null && v.getVsphereVolume() == null
                && v.getQuobyte() == null && v.getAzureDisk() == null && v.getPhotonPersistentDisk() == null
                && v.getPortworxVolume() == null && v.getScaleIO() == null && v.getStorageos() == null;
    }

    /** The first restricted source, in PSA's order; {@code unknown} for a source podguard's model lacks. */
    private static String restrictedType(Volume v) {
        if (v.getHostPath() != null) {
            return "hostPath";
        } else if (v.getGcePersistentDisk() != null) {
            return "gcePersistentDisk";
        } else if (v.getAwsElasticBlockStore() != null) {
            return "awsElasticBlockStore";
        } else if (v.getGitRepo() != null) {
            return "gitRepo";
        } else if (v.getNfs() != null) {
            return "nfs";
        } else if (v.getIscsi() != null) {
            return "iscsi";
        } else if (v.getGlusterfs() != null) {
            return "glusterfs";
        } else if (v.getRbd() != null) {
            return "rbd";
        } else if (v.getFlexVolume() != null) {
            return "flexVolume";
        } else if (v.getCinder() != null) {
            return "cinder";
        } else if (v.getCephfs() != null) {
            return "cephfs";
        } else if (v.getFlocker() != null) {
            return "flocker";
        } else if (v.getFc() != null) {
            return "fc";
        } else if (v.getAzureFile() != null) {
            return "azureFile";
        } else if (v.getVsphereVolume() != null) {
            return "vsphereVolume";
        } else if (v.getQuobyte() != null) {
            return "quobyte";
        } else if (v.getAzureDisk() != null) {
            return "azureDisk";
        } else if (v.getPhotonPersistentDisk() != null) {
            return "photonPersistentDisk";
        } else if (v.getPortworxVolume() != null) {
            return "portworxVolume";
        } else if (v.getScaleIO() != null) {
            return "scaleIO";
        } else if (v.getStorageos() != null) {
            return "storageos";
        }
        return "unknown";
    }
}
