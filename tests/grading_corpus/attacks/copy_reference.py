# Paste the reference implementation, with the helpers it needs.
{REFERENCE_COPY}
