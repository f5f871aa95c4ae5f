# cluster/ — the cluster services, above the transport (net/) and below the
# global scheduler (sched/) and the POSIX layer: the distributed page
# manager (dsm_*) and the cluster lock service (csync_*).
# The coherence protocols, each registering itself with DEFINE_DSM_PROTOCOL
# (the host tests of the key table link the same list).
DSM_PROTOCOL_SRCS := cluster/dsm_proto.c
KERNEL_SRCS += $(DSM_PROTOCOL_SRCS) cluster/dsm_protocol_find.c \
	cluster/dsm_stats.c cluster/dsm_check.c \
	cluster/dsm.c cluster/dsm_home.c cluster/dsm_home_mode.c \
	cluster/dsm_home_msg.c cluster/dsm_ra.c cluster/dsm_wire.c \
	cluster/csync.c cluster/csync_proto.c cluster/csync_home.c \
	cluster/csync_wire.c
