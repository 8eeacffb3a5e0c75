package io.podguard.engine;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The node factory of podguard's JSON trees: objects keep their properties in a
 * {@link CompactObjectMap}, arrays start with room for two elements (most arrays of a pod hold one
 * or two: containers, ports, {@code drop: [ALL]}) instead of ten. Every node behaves exactly as
 * Jackson's own; only the garbage of building a tree shrinks.
 */
final class CompactNodes extends JsonNodeFactory {

    static final CompactNodes FACTORY = new CompactNodes();

    private static final long serialVersionUID = 1L;

    private CompactNodes() {
    }

    @Override
    public ObjectNode objectNode() {
        return new ObjectNode(this, new CompactObjectMap());
    }

    @Override
    public ArrayNode arrayNode() {
        return new ArrayNode(this, 2);
    }
}
