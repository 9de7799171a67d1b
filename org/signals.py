from django.dispatch import Signal

# Sent by OrgNode.save() when a node's path changed (moved or renamed), inside its transaction;
# kwargs: instance, old_path.
node_moved = Signal()
