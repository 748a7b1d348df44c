# The copy with a do-nothing statement added to its body.
{REFERENCE_COPY_ELLIPSIS}
