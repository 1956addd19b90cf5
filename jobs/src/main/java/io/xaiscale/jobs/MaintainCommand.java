package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.delta.Upkeep;

/**
 * {@code xai maintain}: table upkeep after many nightly runs. Each run commits small files; OPTIMIZE
 * compacts them, clustered (ZORDER) by the columns the notebooks and the stages filter on; VACUUM
 * deletes files no version within the retention needs (never less than Delta's safe default of 7
 * days unless forced: a shorter one breaks time travel and readers of older versions); the change
 * data feed lets downstream jobs read only what changed.
 */
public final class MaintainCommand implements Command {
    @Override
    public String name() {
        return "maintain";
    }

    @Override
    public String summary() {
        return "table upkeep: OPTIMIZE (ZORDER by the filtered columns), VACUUM (safe retention), change data feed";
    }

    @Override
    public Options options() {
        return Defaults.spark(new Options(name()))
                .add(
                        "vacuum-hours",
                        Integer.toString(Upkeep.SAFE_RETENTION_HOURS),
                        "VACUUM files older than this many hours that no kept version needs (0: no VACUUM)")
                .bool("force", false, "allow a retention below " + Upkeep.SAFE_RETENTION_HOURS + " hours")
                .bool("change-data-feed", true, "turn on Delta's change data feed on every table");
    }

    @Override
    public void run(Options o) throws Exception {
        int hours = o.getInt("vacuum-hours", 0, 100_000);
        boolean force = o.getFlag("force");
        Upkeep.check(hours, force);
        withSession(o, spark -> {
            for (Upkeep.Done d : Upkeep.run(spark, o.get("warehouse"), hours, force, o.getFlag("change-data-feed"))) {
                System.out.printf("[maintain] %s: %d -> %d file(s)%n", d.table(), d.filesBefore(), d.filesAfter());
            }
        });
    }
}
