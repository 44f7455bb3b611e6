package dev.qis.query;

/**
 * How a query reached this instance: the path and query to pass on to the owner, whether another instance sent it
 * (then it is never forwarded again), and how many records a copy may be behind and still answer.
 */
public record Request(String pathAndQuery, boolean forwarded, long maxLag) {
}
