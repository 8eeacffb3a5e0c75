package io.podguard.engine.rules;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import java.util.List;

/**
 * Kubernetes' {@code authz} and {@code authzSelectors} libraries (library/authz.go), declared
 * for the checker only: the functions exist as in the apiserver, so an expression that reaches
 * them through the missing {@code authorizer} fails on {@code authorizer} alone, with the
 * apiserver's words where the apiserver has no authorizer either (a message expression) and
 * podguard's reason elsewhere. Nothing binds them: without {@code authorizer} no expression
 * that compiles can call them.
 */
final class KubernetesAuthz {

    private static final OpaqueType AUTHORIZER = OpaqueType.create("kubernetes.authorization.Authorizer");
    private static final OpaqueType PATH_CHECK = OpaqueType.create("kubernetes.authorization.PathCheck");
    private static final OpaqueType GROUP_CHECK = OpaqueType.create("kubernetes.authorization.GroupCheck");
    private static final OpaqueType RESOURCE_CHECK = OpaqueType.create("kubernetes.authorization.ResourceCheck");
    private static final OpaqueType DECISION = OpaqueType.create("kubernetes.authorization.Decision");

    private KubernetesAuthz() {
    }

    static List<CelFunctionDecl> declarations() {
        return List.of(
                CelFunctionDecl.newFunctionDeclaration("path", CelOverloadDecl.newMemberOverload("authorizer_path", PATH_CHECK, AUTHORIZER, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("group", CelOverloadDecl.newMemberOverload("authorizer_group", GROUP_CHECK, AUTHORIZER, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("serviceAccount",
                        CelOverloadDecl.newMemberOverload("authorizer_serviceaccount", AUTHORIZER, AUTHORIZER, SimpleType.STRING, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("resource",
                        CelOverloadDecl.newMemberOverload("groupcheck_resource", RESOURCE_CHECK, GROUP_CHECK, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("subresource",
                        CelOverloadDecl.newMemberOverload("resourcecheck_subresource", RESOURCE_CHECK, RESOURCE_CHECK, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("namespace",
                        CelOverloadDecl.newMemberOverload("resourcecheck_namespace", RESOURCE_CHECK, RESOURCE_CHECK, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("name", CelOverloadDecl.newMemberOverload("resourcecheck_name", RESOURCE_CHECK, RESOURCE_CHECK, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("fieldSelector",
                        CelOverloadDecl.newMemberOverload("authorizer_fieldselector", RESOURCE_CHECK, RESOURCE_CHECK, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("labelSelector",
                        CelOverloadDecl.newMemberOverload("authorizer_labelselector", RESOURCE_CHECK, RESOURCE_CHECK, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("check",
                        CelOverloadDecl.newMemberOverload("pathcheck_check", DECISION, PATH_CHECK, SimpleType.STRING),
                        CelOverloadDecl.newMemberOverload("resourcecheck_check", DECISION, RESOURCE_CHECK, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("allowed", CelOverloadDecl.newMemberOverload("decision_allowed", SimpleType.BOOL, DECISION)),
                CelFunctionDecl.newFunctionDeclaration("reason", CelOverloadDecl.newMemberOverload("decision_reason", SimpleType.STRING, DECISION)),
                CelFunctionDecl.newFunctionDeclaration("errored", CelOverloadDecl.newMemberOverload("decision_errored", SimpleType.BOOL, DECISION)),
                CelFunctionDecl.newFunctionDeclaration("error", CelOverloadDecl.newMemberOverload("decision_error", SimpleType.STRING, DECISION)));
    }
}
