package io.paywatch.jobs.sinks;

import java.io.Serializable;

/**
 * Where metrics go in InfluxDB: a 1.x database ({@code /write?db=}) or a 2.x/3.x org and
 * bucket. The token is read from the named environment variable where the writer runs, so it
 * never appears on a command line, in a job graph or in a log.
 */
public final class InfluxTarget implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String url;
    /** 1.x database, or null for 2.x/3.x. */
    public final String database;
    public final String org;
    public final String bucket;
    /** Name of the environment variable holding the token, or null. */
    public final String tokenEnv;

    private InfluxTarget(String url, String database, String org, String bucket, String tokenEnv) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.database = database;
        this.org = org;
        this.bucket = bucket;
        this.tokenEnv = tokenEnv;
    }

    public static InfluxTarget v1(String url, String database, String tokenEnv) {
        return new InfluxTarget(url, database, null, null, tokenEnv);
    }

    public static InfluxTarget v2(String url, String org, String bucket, String tokenEnv) {
        return new InfluxTarget(url, null, org, bucket, tokenEnv);
    }

    public boolean isV1() {
        return database != null;
    }

    public String token() {
        if (tokenEnv == null) {
            return null;
        }
        String t = System.getenv(tokenEnv);
        return t == null || t.isEmpty() ? null : t;
    }

    public String describe() {
        return isV1() ? url + " database " + database : url + " org " + org + " bucket " + bucket;
    }
}
