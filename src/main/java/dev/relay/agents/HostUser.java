package dev.relay.agents;

/** The relay's own user, read once: whether it is root, and the user its agents run as by default. */
record HostUser(long uid, long gid) {
    static HostUser current() {
        try {
            com.sun.security.auth.module.UnixSystem unix = new com.sun.security.auth.module.UnixSystem();
            return new HostUser(unix.getUid(), unix.getGid());
        } catch (RuntimeException | LinkageError e) {
            return new HostUser(-1, -1);
        }
    }

    boolean root() {
        return uid == 0;
    }

    /** The relay's own user, so that the workspace stays the operator's; as root (or unknown), the image's usual 1000. */
    String defaultAgentUser() {
        return uid <= 0 ? "1000:1000" : uid + ":" + gid;
    }
}
