package io.jiso;

/**
 * What {@link IsolatedProcessBuilder#run(byte[])} returns: the bytes the run
 * wrote to stdout and stderr (empty where they were not pipes; each at most
 * the output limit), and its report.
 */
public record RunResult(byte[] stdout, byte[] stderr, RunReport report) {}
