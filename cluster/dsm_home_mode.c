/*
 * cluster/dsm_home_mode.c — the names of enum dsm_home_mode, indexed by it,
 * registered as the choices of dsm.home= in that order: config_enum()
 * gives the mode itself. Pure: the host's key-table test links it too.
 */
#include "cluster/dsm.h"
#include "kernel/config.h"

const char *const dsm_home_mode_names[DSM_HOME_MODES] = {
    [DSM_HOME_INTERLEAVE] = "interleave",
    [DSM_HOME_ORIGIN] = "origin",
    [DSM_HOME_FIRST_TOUCH] = "first_touch",
};

const char *const dsm_home_mode_text[DSM_HOME_MODES] = {
    [DSM_HOME_INTERLEAVE] = "interleaved",
    [DSM_HOME_ORIGIN] = "at the origin",
    [DSM_HOME_FIRST_TOUCH] = "at the first node to touch each",
};

DEFINE_CFG_CHOICES(dsm_home, "dsm.home", dsm_home_mode_names, DSM_HOME_MODES);
