# The copy hidden in a block, where a scan of top-level definitions misses it.
if True:
{REFERENCE_COPY_INDENTED}
