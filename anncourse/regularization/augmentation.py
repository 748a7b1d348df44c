"""Data augmentation for images: more training data from the data you have.

A digit shifted by a pixel or turned by a few degrees is still the same
digit. Showing the network such altered copies, new ones every epoch,
teaches it to ignore those changes, and it overfits less.

Every function takes one grey-scale image ``(H, W)`` or a batch
``(N, H, W)`` of floats and returns a new array of the same shape and
dtype (``float32`` stays ``float32``); the input is never changed. Flat
rows such as MNIST's ``(N, 784)`` must be reshaped first, e.g. with
``X.reshape(-1, 28, 28)``: a 2-D array is always read as one image.

Deterministic transforms
    :func:`shift` and :func:`rotate` move images by given amounts.
Random transforms
    :func:`random_shift`, :func:`random_rotation`, :func:`random_flip` and
    :func:`add_gaussian_noise` draw a new amount for every image, from
    ``random_state``: a ``numpy.random.Generator``, an int seed, or None. With
    strength 0 they return an unchanged copy.
A pipeline
    :func:`augment` applies several of them in turn.

Examples
--------
>>> import numpy as np
>>> from anncourse.regularization import shift
>>> shift(np.eye(3), 1, 0)
array([[0., 0., 0.],
       [1., 0., 0.],
       [0., 1., 0.]])
"""

import numbers

import numpy as np

from anncourse._random import check_random_state, renamed
from anncourse._validation import as_float_array, as_real_number

__all__ = [
    "shift",
    "rotate",
    "random_shift",
    "random_rotation",
    "random_flip",
    "add_gaussian_noise",
    "augment",
]


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _as_batch(images):
    """Return ``images`` as a float batch ``(N, H, W)``, and whether it was one image."""
    images = as_float_array(images, "images")
    if images.ndim not in (2, 3):
        raise ValueError(
            "images must be one image (H, W) or a batch (N, H, W), but has shape "
            f"{images.shape}; reshape flat rows first, e.g. X.reshape(-1, 28, 28)"
        )
    single = images.ndim == 2
    return (images[np.newaxis] if single else images), single


def _per_image(amount, n, name):
    """A number, or one number per image, as an array of shape ``(n,)``."""
    amount = np.asarray(amount)
    if amount.ndim == 0:
        return np.full(n, amount)
    if amount.shape != (n,):
        raise ValueError(
            f"{name} must be one number or one per image ({n},), but has shape {amount.shape}"
        )
    return amount


def _non_negative(value, name):
    value = as_real_number(value, name)
    if not value >= 0:
        raise ValueError(f"{name} must be >= 0, but got {value}")
    return value


# --------------------------------------------------------------------------
# Deterministic transforms
# --------------------------------------------------------------------------


def shift(images, dy, dx, fill=0.0):
    """Move the content of each image by whole pixels.

    Formula, for output pixel ``(i, j)``::

        out[i, j] = image[i - dy, j - dx]   if that pixel exists, else fill

    so positive ``dy`` moves the content down and positive ``dx`` to the
    right; what moves out of the frame is lost.

    Parameters
    ----------
    images : array_like of shape (H, W) or (N, H, W)
        The images.
    dy, dx : int or array_like of int, shape (N,)
        Rows down and columns right, the same for all images or one per image.
    fill : float, default 0.0
        The value of the pixels that move in from outside.

    Returns
    -------
    numpy.ndarray
        The shifted images, same shape and dtype.

    Raises
    ------
    TypeError
        If the images are not numeric or a shift is not a whole number.
    ValueError
        If the images are not 2-D or 3-D, or a shift has the wrong shape.

    Examples
    --------
    >>> shift(np.array([[1.0, 2.0], [3.0, 4.0]]), 0, -1)
    array([[2., 0.],
           [4., 0.]])
    """
    batch, single = _as_batch(images)
    n, height, width = batch.shape
    dy, dx = _per_image(dy, n, "dy"), _per_image(dx, n, "dx")
    if dy.dtype.kind not in "iu" or dx.dtype.kind not in "iu":
        raise TypeError("dy and dx must be whole numbers of pixels (integers)")
    fill = as_real_number(fill, "fill")
    # The source row and column of every output pixel, per image.
    rows = np.arange(height) - dy[:, np.newaxis]
    cols = np.arange(width) - dx[:, np.newaxis]
    row_inside = (rows >= 0) & (rows < height)
    col_inside = (cols >= 0) & (cols < width)
    inside = row_inside[:, :, np.newaxis] & col_inside[:, np.newaxis, :]
    moved = batch[
        np.arange(n)[:, np.newaxis, np.newaxis],
        np.clip(rows, 0, height - 1)[:, :, np.newaxis],
        np.clip(cols, 0, width - 1)[:, np.newaxis, :],
    ]
    out = np.where(inside, moved, fill).astype(batch.dtype, copy=False)
    return out[0] if single else out


def rotate(images, degrees, fill=0.0):
    """Rotate each image about its centre, counter-clockwise as displayed.

    The output keeps the input's size. Each output pixel takes the value of
    the point it came from, rotated back::

        out(p) = image(c + R(-angle) (p - c)),   c = the image centre

    interpolated bilinearly between the four nearest pixels; points outside
    the image count as ``fill``. Uses ``scipy.ndimage.rotate`` with
    ``order=1``. Rotating a square image by 90 degrees gives exactly
    ``np.rot90(image)``.

    Parameters
    ----------
    images : array_like of shape (H, W) or (N, H, W)
        The images.
    degrees : float or array_like of shape (N,)
        The angle, the same for all images or one per image. Positive is
        counter-clockwise when the image is shown with row 0 at the top
        (as ``matplotlib.pyplot.imshow`` does).
    fill : float, default 0.0
        The value of the pixels that come from outside the image.

    Returns
    -------
    numpy.ndarray
        The rotated images, same shape and dtype.

    Raises
    ------
    ImportError
        If SciPy is not installed.
    TypeError, ValueError
        For images or angles of the wrong type or shape.

    Examples
    --------
    >>> image = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> rotate(image, 90)
    array([[2., 4.],
           [1., 3.]])
    """
    try:
        from scipy import ndimage
    except ImportError as error:
        raise ImportError("rotate needs SciPy; install it with `pip install scipy`") from error
    batch, single = _as_batch(images)
    angles = _per_image(degrees, len(batch), "degrees").astype(np.float64)
    fill = as_real_number(fill, "fill")
    out = np.empty_like(batch)
    for k, (image, angle) in enumerate(zip(batch, angles)):
        out[k] = ndimage.rotate(image, angle, reshape=False, order=1, mode="constant", cval=fill)
    return out[0] if single else out


# --------------------------------------------------------------------------
# Random transforms
# --------------------------------------------------------------------------


@renamed("rng")
def random_shift(images, max_shift, random_state=None, fill=0.0):
    """Shift each image by a random whole number of pixels in each direction.

    For every image, ``dy`` and ``dx`` are drawn independently and
    uniformly from the integers ``-max_shift .. max_shift``, and the image
    is moved with :func:`shift`.

    Parameters
    ----------
    images : array_like of shape (H, W) or (N, H, W)
        The images.
    max_shift : int
        The largest shift, ``>= 0``; 0 returns an unchanged copy.
    random_state : None, int or numpy.random.Generator
        Source of randomness: the same int gives the same result.
    fill : float, default 0.0
        The value of the pixels that move in from outside.

    Returns
    -------
    numpy.ndarray
        The shifted images, same shape and dtype.

    Raises
    ------
    TypeError, ValueError
        If ``max_shift`` is not an integer ``>= 0``, or for bad images.

    Examples
    --------
    >>> batch = np.zeros((16, 28, 28), dtype=np.float32)
    >>> random_shift(batch, 2, random_state=0).shape
    (16, 28, 28)
    """
    integer = isinstance(max_shift, numbers.Integral) and not isinstance(max_shift, bool)
    if not integer or max_shift < 0:
        raise ValueError(f"max_shift must be an integer >= 0, but got {max_shift!r}")
    batch, single = _as_batch(images)
    rng = check_random_state(random_state)
    dy, dx = rng.integers(-max_shift, max_shift + 1, size=(2, len(batch)))
    out = shift(batch, dy, dx, fill=fill)
    return out[0] if single else out


@renamed("rng")
def random_rotation(images, max_degrees, random_state=None, fill=0.0):
    """Rotate each image by a random angle.

    For every image the angle is drawn uniformly from
    ``[-max_degrees, max_degrees]``, and the image is turned with
    :func:`rotate` (bilinear interpolation, same size).

    Parameters
    ----------
    images : array_like of shape (H, W) or (N, H, W)
        The images.
    max_degrees : float
        The largest angle, ``>= 0``; 0 returns an unchanged copy.
    random_state : None, int or numpy.random.Generator
        Source of randomness: the same int gives the same result.
    fill : float, default 0.0
        The value of the pixels that come from outside the image.

    Returns
    -------
    numpy.ndarray
        The rotated images, same shape and dtype.

    Raises
    ------
    ValueError
        If ``max_degrees`` is negative, or for bad images.

    Examples
    --------
    >>> random_rotation(np.ones((5, 5)), 0.0, random_state=0).sum()
    np.float64(25.0)
    """
    max_degrees = _non_negative(max_degrees, "max_degrees")
    batch, single = _as_batch(images)
    rng = check_random_state(random_state)
    angles = rng.uniform(-max_degrees, max_degrees, size=len(batch))
    out = rotate(batch, angles, fill=fill)
    return out[0] if single else out


@renamed("rng")
def random_flip(images, horizontal=True, vertical=False, p=0.5, random_state=None):
    """Mirror each image at random.

    With ``horizontal``, each image is flipped left-right with probability
    ``p``; with ``vertical``, up-down with probability ``p``, independently.
    Only use flips that keep the meaning: a mirrored cat is a cat, but a
    mirrored digit is not always a digit.

    Parameters
    ----------
    images : array_like of shape (H, W) or (N, H, W)
        The images.
    horizontal : bool, default True
        Allow left-right flips.
    vertical : bool, default False
        Allow up-down flips.
    p : float, default 0.5
        Probability of each allowed flip, in ``[0, 1]``; 0 returns an
        unchanged copy.
    random_state : None, int or numpy.random.Generator
        Source of randomness: the same int gives the same result.

    Returns
    -------
    numpy.ndarray
        The images, some flipped, same shape and dtype.

    Raises
    ------
    ValueError
        If ``p`` is outside ``[0, 1]``, or for bad images.

    Examples
    --------
    >>> random_flip(np.array([[1.0, 2.0]]), p=1.0, random_state=0)
    array([[2., 1.]])
    """
    p = as_real_number(p, "p")
    if not 0 <= p <= 1:
        raise ValueError(f"p must lie in [0, 1], but got {p}")
    batch, single = _as_batch(images)
    rng = check_random_state(random_state)
    flip_left_right, flip_up_down = rng.random((2, len(batch))) < p
    out = batch.copy()
    if horizontal:
        out[flip_left_right] = out[flip_left_right, :, ::-1]
    if vertical:
        out[flip_up_down] = out[flip_up_down, ::-1, :]
    return out[0] if single else out


@renamed("rng")
def add_gaussian_noise(images, std, random_state=None, clip=(0.0, 1.0)):
    """Add independent Gaussian noise to every pixel.

    Formula, with ``eps ~ N(0, 1)`` drawn for every pixel::

        out = clip(image + std * eps, low, high)

    Parameters
    ----------
    images : array_like of shape (H, W) or (N, H, W)
        The images.
    std : float
        Standard deviation of the noise, ``>= 0``; with 0 the images come
        back unchanged (if they lie within ``clip``).
    random_state : None, int or numpy.random.Generator
        Source of randomness: the same int gives the same result.
    clip : (float, float) or None, default (0.0, 1.0)
        Keep the pixels in this range (that of images scaled to [0, 1]);
        None does not clip.

    Returns
    -------
    numpy.ndarray
        The noisy images, same shape and dtype.

    Raises
    ------
    ValueError
        If ``std`` is negative, or for bad images.

    Examples
    --------
    >>> noisy = add_gaussian_noise(np.full((100, 100), 0.5), 0.1, random_state=0)
    >>> print(f"{noisy.std():.2f}")
    0.10
    """
    std = _non_negative(std, "std")
    batch, single = _as_batch(images)
    rng = check_random_state(random_state)
    noise = rng.standard_normal(batch.shape, dtype=batch.dtype)
    out = batch + std * noise
    if clip is not None:
        low, high = clip
        out = np.clip(out, low, high)
    return out[0] if single else out


# --------------------------------------------------------------------------
# Pipeline
# --------------------------------------------------------------------------


@renamed("rng")
def augment(
    images,
    random_state=None,
    *,
    max_degrees=0.0,
    max_shift=0,
    horizontal_flip=False,
    vertical_flip=False,
    noise_std=0.0,
    clip=(0.0, 1.0),
    fill=0.0,
):
    """Apply random rotation, shift, flips and noise, in this order.

    Each step whose strength is 0 (the default) is skipped, so
    ``augment(images)`` is an unchanged copy. All steps draw from the same
    ``random_state``, so a seed fixes the whole pipeline.

    Parameters
    ----------
    images : array_like of shape (H, W) or (N, H, W)
        The images.
    random_state : None, int or numpy.random.Generator
        Source of randomness. Create one Generator before training and pass
        it every epoch, to get new variations each time.
    max_degrees : float, default 0.0
        See :func:`random_rotation`.
    max_shift : int, default 0
        See :func:`random_shift`.
    horizontal_flip, vertical_flip : bool, default False
        Flip with probability 1/2; see :func:`random_flip`.
    noise_std : float, default 0.0
        See :func:`add_gaussian_noise`.
    clip : (float, float) or None, default (0.0, 1.0)
        Range of the pixels after adding noise.
    fill : float, default 0.0
        Value of pixels moved in from outside by rotations and shifts.

    Returns
    -------
    numpy.ndarray
        The augmented images, same shape and dtype.

    Examples
    --------
    >>> batch = np.random.default_rng(0).random((8, 28, 28)).astype(np.float32)
    >>> out = augment(batch, random_state=1, max_degrees=10, max_shift=2, noise_std=0.05)
    >>> out.shape, out.dtype
    ((8, 28, 28), dtype('float32'))
    """
    rng = check_random_state(random_state)
    out = _as_batch(images)[0].copy()
    if max_degrees:
        out = random_rotation(out, max_degrees, rng, fill=fill)
    if max_shift:
        out = random_shift(out, max_shift, rng, fill=fill)
    if horizontal_flip or vertical_flip:
        out = random_flip(out, horizontal_flip, vertical_flip, 0.5, rng)
    if noise_std:
        out = add_gaussian_noise(out, noise_std, rng, clip=clip)
    return out.reshape(np.shape(images))
