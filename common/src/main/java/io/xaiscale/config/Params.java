package io.xaiscale.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xaiscale.util.Hashing;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one place where resolved parameters become the JSON recorded next to every output and the hash
 * that keys it: {@code sha256(name + "|" + json)}, first 16 hex digits. Keys are sorted, so equal
 * parameters give equal JSON and equal hashes on every machine and in every run.
 */
public final class Params {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Params() {}

    /** Sorted JSON of {@code params}. */
    public static String json(Map<String, Object> params) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(params));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write parameters as JSON: " + params, e);
        }
    }

    /** The key of a configuration: {@code name} with its parameters' JSON. */
    public static String hash(String name, String json) {
        return Hashing.sha256Hex(name + "|" + json).substring(0, 16);
    }

    /**
     * {@link #hash(String, String)} of an implementation at {@code revision}: the same at revision 1 (rows
     * written before revisions existed keep their keys), the name tagged with the revision from 2 on.
     */
    public static String hash(String name, int revision, String json) {
        return hash(revision == 1 ? name : name + "@revision" + revision, json);
    }
}
