"""Synthetic bird calls: short recordings of three made-up species, as spectrogram images.

Each clip is 0.512 s of noise (white hiss and a low rumble) with one call (or, for the
error analysis, two overlapping calls) at a random time and pitch. Because the calls are
synthesised, the time-frequency box of every call is known exactly, so we can check where
a CAM points. Notebook 06 uses it; everything is seeded and takes milliseconds per clip.

The three species and their calls:

- ``rising whistle``: one pure tone gliding up by 600-1200 Hz in 0.12-0.20 s;
- ``falling trill``: a tone gliding down by 500-1000 Hz, broken into pulses 25 ms apart;
- ``two-note call``: two flat notes of 50-70 ms, the second 30 % higher, 30-50 ms apart.

Spectrograms: 8 kHz audio, Hann window of 126 samples (15.75 ms), hop of 64 samples (8 ms),
so a clip is ``(64, 64)``: 64 frequency rows of 63.5 Hz from 0 to 4 kHz, **high frequencies
in row 0** (the image convention, so that every helper draws them the right way up), and
64 time columns of 8 ms. Values are log power in dB, mapped from [-50, +30] dB to 0-255.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers import _validate

__all__ = [
    "BOX_MARGIN_HZ",
    "DB_RANGE",
    "HOP",
    "HUM_HZ",
    "HZ_PER_ROW",
    "N_BINS",
    "N_FFT",
    "N_FRAMES",
    "N_SAMPLES",
    "SAMPLE_RATE",
    "SECONDS_PER_COLUMN",
    "SNR_DB",
    "SPECIES",
    "BirdCalls",
    "Call",
    "background",
    "call_waveform",
    "fade",
    "hum",
    "make_dataset",
    "place_calls",
    "row_of",
    "spectrogram",
    "to_image",
]

SPECIES: tuple[str, ...] = ("rising whistle", "falling trill", "two-note call")
SAMPLE_RATE = 8000
N_FFT = 126
HOP = 64
N_FRAMES = 64
N_SAMPLES = HOP * N_FRAMES  # 4096 samples = 0.512 s
N_BINS = N_FFT // 2 + 1  # 64 rows
HZ_PER_ROW = SAMPLE_RATE / N_FFT  # 63.5 Hz
SECONDS_PER_COLUMN = HOP / SAMPLE_RATE  # 8 ms
DB_RANGE = (-50.0, 30.0)
"""Log power (dB) mapped to pixel values 0 and 255; the hiss sits near -2 dB per bin."""
BOX_MARGIN_HZ = 2 * HZ_PER_ROW
"""A Hann window spreads a pure tone over about two rows on each side, so a call's box is
widened by this much above and below its frequency range."""
SNR_DB = (-12.0, 3.0)
"""Call-to-hiss power ratio over the whole band, per sample, drawn uniformly per clip. A tone
puts its power in one or two rows of a frame, so in its peak row it stands about 16 dB
higher than this ratio: from faint (4 dB, hard to see) to plain (19 dB)."""
HUM_HZ = 3800.0
"""The background hum of ``make_dataset(..., hum_species=...)``: above every call's box."""


@dataclass(frozen=True)
class Call:
    """One call: its species and the time-frequency box it occupies.

    Example:
        >>> from helpers.datasets.birdcalls import SPECIES, Call
        >>> call = Call(species=0, start=0.1, stop=0.25, low=1000.0, high=2000.0)
        >>> SPECIES[call.species], call.box()  # rows 29-50 (high pitch at the top), columns 12-31
        ('rising whistle', (29, 51, 12, 32))

    Attributes:
        species: index into ``SPECIES``.
        start, stop: seconds from the clip's start.
        low, high: the lowest and highest frequency the call reaches, Hz.
    """

    species: int
    start: float
    stop: float
    low: float
    high: float

    def box(self) -> tuple[int, int, int, int]:
        """``(row0, row1, col0, col1)``: the call's box in the spectrogram, half-open, high pitch at row 0.

        Columns are the frames whose 8 ms hop overlaps the call; rows the frequency bins
        from ``low - BOX_MARGIN_HZ`` to ``high + BOX_MARGIN_HZ``.
        """
        col0 = max(0, int(np.floor(self.start / SECONDS_PER_COLUMN)))
        col1 = min(N_FRAMES, int(np.ceil(self.stop / SECONDS_PER_COLUMN)))
        bin_low = max(0, int(np.floor((self.low - BOX_MARGIN_HZ) / HZ_PER_ROW)))
        bin_high = min(N_BINS - 1, int(np.ceil((self.high + BOX_MARGIN_HZ) / HZ_PER_ROW)))
        return N_BINS - 1 - bin_high, N_BINS - bin_low, col0, col1


@dataclass(frozen=True, eq=False)
class BirdCalls:
    """A labelled set of spectrogram images.

    Example:
        >>> from helpers.datasets.birdcalls import make_dataset
        >>> clips = make_dataset(6, seed=0)
        >>> len(clips), clips.images.shape, clips.images.dtype, clips.labels.shape, clips.boxes().shape
        (6, (6, 64, 64), dtype('uint8'), (6,), (6, 4))

    Attributes:
        images: ``(n, 64, 64) uint8`` spectrograms, high frequencies in row 0.
        labels: ``(n,) int64`` species of each clip (for two-call clips: the louder call).
        calls: per clip, the calls it contains (one, or two for mixtures).
        snr_db: ``(n,) float64`` the (louder) call's signal-to-hiss ratio, dB.
    """

    images: np.ndarray
    labels: np.ndarray
    calls: tuple[tuple[Call, ...], ...]
    snr_db: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def boxes(self) -> np.ndarray:
        """``(n, 4) int64``: the first call's box of every clip, ``(row0, row1, col0, col1)``."""
        return np.array([clip[0].box() for clip in self.calls], dtype=np.int64)


def make_dataset(n: int, seed: int, *, hum_species: int | None = None, mixtures: bool = False) -> BirdCalls:
    """``n`` clips, species balanced (``n // 3`` each, the rest spread) in seeded random order.

    Example:
        >>> import numpy as np
        >>> from helpers.datasets.birdcalls import make_dataset
        >>> clips = make_dataset(9, seed=0)
        >>> clips.images.shape, np.bincount(clips.labels).tolist()  # three clips of each species
        ((9, 64, 64), [3, 3, 3])
        >>> hummed = make_dataset(9, seed=0, hum_species=0)  # species 0 also carries the hum; the others are unchanged
        >>> bool((hummed.images[clips.labels != 0] == clips.images[clips.labels != 0]).all())
        True
        >>> [len(calls) for calls in make_dataset(3, seed=0, mixtures=True).calls]  # two overlapping calls per clip
        [2, 2, 2]

    Args:
        n: number of clips, at least 1.
        seed: the same seed gives the same clips.
        hum_species: if given, every clip of this species also carries a steady hum at
            ``HUM_HZ`` (a recorder's electronics, say), above every call: a shortcut a model
            can learn instead of the call. The hum's phases come from their own generator,
            so the clips are the same clips as without the hum, plus the hum.
        mixtures: two calls of different species overlap in time in every clip; the label
            is the louder one (``calls[i][0]``), the other is ``calls[i][1]``.
    """
    _validate.positive_integer(n, "n", "number of clips")
    if hum_species is not None and hum_species not in range(len(SPECIES)):
        raise ValueError(f"hum_species must be a species index 0-{len(SPECIES) - 1} or None, got {hum_species!r}.")
    rng = np.random.default_rng(seed)
    hum_rng = np.random.default_rng([seed, 1])  # separate, so adding the hum changes nothing else
    labels = rng.permutation(np.arange(n) % len(SPECIES))
    images, calls, snrs = [], [], []
    for label in labels:
        species = [int(label)]
        if mixtures:
            species.append(int(rng.choice([s for s in range(len(SPECIES)) if s != label])))
        snr = rng.uniform(*SNR_DB)
        clip_calls = place_calls(rng, species)
        wave = background(rng)
        for rank, call in enumerate(clip_calls):
            level = snr - 6.0 * rank  # the second call of a mixture is 6 dB quieter
            wave += call_waveform(rng, call) * np.sqrt(10 ** (level / 10))
        if hum_species is not None and label == hum_species:
            wave += hum(hum_rng)
        images.append(to_image(spectrogram(wave)))
        calls.append(clip_calls)
        snrs.append(snr)
    return BirdCalls(np.stack(images), labels.astype(np.int64), tuple(calls), np.array(snrs))


def place_calls(rng: np.random.Generator, species: list[int]) -> tuple[Call, ...]:
    """Random times and pitches for calls of these species; a second call overlaps the first in time.

    Example:
        >>> import numpy as np
        >>> from helpers.datasets.birdcalls import place_calls
        >>> whistle, two_note = place_calls(np.random.default_rng(0), [0, 2])
        >>> two_note.species, bool(two_note.start < whistle.stop and whistle.start < two_note.stop)  # they overlap
        (2, True)
    """
    calls: list[Call] = []
    for kind in species:
        # one duration per species is drawn, so the random stream does not depend on the species
        duration = float(rng.uniform((0.12, 0.14, 0.13), (0.20, 0.22, 0.19))[kind])
        if calls:  # overlap the first call by at least half of the shorter one
            first = calls[0]
            start = rng.uniform(first.start - duration / 2, first.stop - duration / 2)
            start = float(np.clip(start, 0.02, N_SAMPLES / SAMPLE_RATE - duration - 0.02))
        else:
            start = rng.uniform(0.02, N_SAMPLES / SAMPLE_RATE - duration - 0.02)
        if kind == 0:
            low = rng.uniform(700, 2000)
            high = low + rng.uniform(600, 1200)
        elif kind == 1:
            high = rng.uniform(1800, 3300)
            low = high - rng.uniform(500, 1000)
        else:
            low = rng.uniform(900, 2500)
            high = 1.3 * low
        calls.append(Call(kind, start, start + duration, low, high))
    return tuple(calls)


def call_waveform(rng: np.random.Generator, call: Call) -> np.ndarray:
    """``(N_SAMPLES,) float64``: the call alone, zero outside it; a steady tone has unit mean power.

    The trill's pulses (a sin² gate) and the two-note call's fades and gap carry less power than
    that, so ``snr_db`` is nominal: at the same value those calls are fainter than a whistle.

    Example:
        >>> import numpy as np
        >>> from helpers.datasets.birdcalls import Call, call_waveform
        >>> wave = call_waveform(np.random.default_rng(0), Call(species=0, start=0.1, stop=0.25, low=1000.0, high=2000.0))
        >>> wave.shape, bool((wave[:800] == 0).all() and (wave[2000:] == 0).all())  # zero before 0.1 s and from 0.25 s
        ((4096,), True)
        >>> round(float(np.mean(wave[960:1840] ** 2)), 1)  # unit mean power between the fades (0.12-0.23 s)
        1.0
    """
    t = np.arange(N_SAMPLES) / SAMPLE_RATE
    inside = (t >= call.start) & (t < call.stop)
    local = np.where(inside, t - call.start, 0.0)
    duration = call.stop - call.start
    if call.species == 0:  # rising glide
        freq = call.low + (call.high - call.low) * local / duration
        gate = np.ones_like(t)
    elif call.species == 1:  # falling glide, cut into pulses every 25 ms
        freq = call.high - (call.high - call.low) * local / duration
        gate = np.sin(np.pi * local / 0.025) ** 2
    else:  # two flat notes, the second 30 % higher, with a gap between them
        note = rng.uniform(0.05, 0.07)
        gap = duration - 2 * note
        freq = np.where(local < note + gap / 2, call.low, call.high)
        gate = fade(local, note) + fade(local - note - gap, duration - note - gap)
    phase = 2 * np.pi * np.cumsum(freq) / SAMPLE_RATE + rng.uniform(0, 2 * np.pi)
    return np.sqrt(2) * np.sin(phase) * gate * fade(local, duration) * inside


def fade(local: np.ndarray, duration: float, ramp: float = 0.01) -> np.ndarray:
    """1 inside ``[0, duration)`` seconds with 10 ms linear fades in and out, 0 outside.

    A sound switched on or off abruptly is a click, which spreads over every frequency
    row of the spectrogram, outside the call's box.

    Example:
        >>> import numpy as np
        >>> from helpers.datasets.birdcalls import fade
        >>> fade(np.array([-0.01, 0.0, 0.005, 0.05, 0.095, 0.1]), duration=0.1).round(2).tolist()  # times in seconds
        [0.0, 0.0, 0.5, 1.0, 0.5, 0.0]
    """
    return np.clip(np.minimum(local, duration - local) / ramp, 0, 1)


def background(rng: np.random.Generator) -> np.ndarray:
    """``(N_SAMPLES,) float64``: white hiss of unit power plus a random low rumble below 400 Hz.

    Example:
        >>> import numpy as np
        >>> from helpers.datasets.birdcalls import background, row_of, spectrogram
        >>> wave = background(np.random.default_rng(0))
        >>> db = spectrogram(wave)
        >>> wave.shape, bool(db[row_of(200)].mean() > db[row_of(2000)].mean())  # the rumble: louder at 200 Hz than at 2 kHz
        ((4096,), True)
    """
    hiss = rng.standard_normal(N_SAMPLES)
    spectrum = np.fft.rfft(rng.standard_normal(N_SAMPLES))
    spectrum[np.fft.rfftfreq(N_SAMPLES, 1 / SAMPLE_RATE) > 400] = 0
    rumble = np.fft.irfft(spectrum, n=N_SAMPLES)
    return hiss + rumble / rumble.std() * rng.uniform(0.5, 3.0)


def hum(rng: np.random.Generator) -> np.ndarray:
    """``(N_SAMPLES,) float64``: a steady tone at ``HUM_HZ``, about 9 dB above the hiss in its row.

    Example:
        >>> import numpy as np
        >>> from helpers.datasets.birdcalls import HUM_HZ, hum, row_of, spectrogram
        >>> db = spectrogram(hum(np.random.default_rng(0)))
        >>> int(db.mean(axis=1).argmax()), row_of(HUM_HZ)  # a steady line in row 3, near the top (3.8 kHz)
        (3, 3)
    """
    t = np.arange(N_SAMPLES) / SAMPLE_RATE
    return 0.7 * np.sin(2 * np.pi * HUM_HZ * t + rng.uniform(0, 2 * np.pi))


def spectrogram(wave: np.ndarray) -> np.ndarray:
    """``(64, 64) float64`` log power (dB) of a ``(N_SAMPLES,)`` recording, high frequencies in row 0.

    Frames are centred on multiples of the hop (the signal is zero-padded by half a window
    on each side), windowed with Hann, and their power spectra taken with ``np.fft.rfft``.

    Example:
        >>> import numpy as np
        >>> from helpers.datasets.birdcalls import N_SAMPLES, SAMPLE_RATE, row_of, spectrogram
        >>> tone = np.sin(2 * np.pi * 1000 * np.arange(N_SAMPLES) / SAMPLE_RATE)  # a steady 1 kHz tone
        >>> db = spectrogram(tone)
        >>> db.shape, int(db[:, 32].argmax()), row_of(1000)  # loudest in row 47 of every column
        ((64, 64), 47, 47)
    """
    if wave.shape != (N_SAMPLES,):
        raise ValueError(f"wave must have shape ({N_SAMPLES},), got {wave.shape}.")
    padded = np.pad(wave, (N_FFT // 2, N_FFT // 2))
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:N_FRAMES]  # (64, 126)
    window = np.hanning(N_FFT)
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2 / window.sum()  # (64 frames, 64 bins)
    return 10 * np.log10(power.T[::-1] + 1e-10)  # rows: frequency, highest first


def to_image(decibels: np.ndarray) -> np.ndarray:
    """``uint8`` image of a log-power spectrogram: ``DB_RANGE`` mapped to 0-255, clipped.

    Example:
        >>> import numpy as np
        >>> from helpers.datasets.birdcalls import to_image
        >>> to_image(np.array([-60.0, -50.0, -10.0, 30.0, 40.0]))  # -50 dB -> 0, 30 dB -> 255
        array([  0,   0, 128, 255, 255], dtype=uint8)
    """
    low, high = DB_RANGE
    return np.round(np.clip((decibels - low) / (high - low), 0, 1) * 255).astype(np.uint8)


def row_of(frequency: float) -> int:
    """The spectrogram row (0 = top = highest frequency) that holds ``frequency`` Hz.

    Example:
        >>> from helpers.datasets.birdcalls import row_of
        >>> row_of(0.0), row_of(1000.0), row_of(4000.0)  # 0 Hz in the bottom row, 4 kHz in the top one
        (63, 47, 0)
    """
    return N_BINS - 1 - round(frequency / HZ_PER_ROW)
