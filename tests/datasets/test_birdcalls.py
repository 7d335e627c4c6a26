"""The synthetic bird-call generator: seeded, balanced, and its boxes hold the calls."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.datasets import birdcalls
from helpers.evaluation import localisation


def power(decibels: np.ndarray) -> np.ndarray:
    return 10 ** (decibels / 10)


def test_same_seed_same_clips_other_seed_other_clips() -> None:
    first, again, other = (birdcalls.make_dataset(30, seed) for seed in (5, 5, 6))
    np.testing.assert_array_equal(first.images, again.images)
    assert first.calls == again.calls and (first.labels == again.labels).all()
    assert not np.array_equal(first.images, other.images)


def test_shapes_types_and_balanced_species() -> None:
    data = birdcalls.make_dataset(31, seed=0)
    assert data.images.shape == (31, 64, 64) and data.images.dtype == np.uint8
    assert np.bincount(data.labels).tolist() == [11, 10, 10]
    assert [clip[0].species for clip in data.calls] == data.labels.tolist()
    assert data.boxes().shape == (31, 4)
    assert ((data.snr_db >= birdcalls.SNR_DB[0]) & (data.snr_db <= birdcalls.SNR_DB[1])).all()


@pytest.mark.parametrize("frequency", [300.0, 1000.0, 1500.0, 2750.0, 3700.0])
def test_a_pure_tone_peaks_in_its_row_with_high_frequencies_on_top(frequency: float) -> None:
    tone = np.sin(2 * np.pi * frequency * np.arange(birdcalls.N_SAMPLES) / birdcalls.SAMPLE_RATE)
    assert int(birdcalls.spectrogram(tone).mean(axis=1).argmax()) == birdcalls.row_of(frequency)
    assert birdcalls.row_of(frequency) == 63 - round(frequency / birdcalls.HZ_PER_ROW)


@pytest.mark.parametrize("species", [0, 1, 2])
def test_every_call_puts_its_power_inside_its_box(species: int) -> None:
    rng = np.random.default_rng(species)
    for _ in range(25):
        (call,) = birdcalls.place_calls(rng, [species])
        spectrum = power(birdcalls.spectrogram(birdcalls.call_waveform(rng, call)))
        inside = spectrum[localisation.box_mask(spectrum.shape, call.box())].sum() / spectrum.sum()
        assert inside > 0.995, (call, inside)
        row0, row1, col0, col1 = call.box()
        assert 0 <= row0 < row1 <= 64 and 0 <= col0 < col1 <= 64


@pytest.mark.parametrize("species", [0, 1, 2])
def test_calls_have_no_clicks(species: int) -> None:
    """A sound switched on or off abruptly is a click: power in every row of its frame."""
    rng = np.random.default_rng(10 + species)
    for _ in range(10):
        (call,) = birdcalls.place_calls(rng, [species])
        spectrum = power(birdcalls.spectrogram(birdcalls.call_waveform(rng, call)))
        row0, row1, col0, col1 = call.box()
        frames = spectrum[:, col0:col1]
        outside_rows = np.r_[frames[:row0], frames[row1:]].sum(axis=0)
        loud = frames.sum(axis=0) > 0.1 * frames.sum(axis=0).max()  # frames where the call sounds
        assert (outside_rows[loud] < 0.01 * frames.sum(axis=0)[loud]).all(), call


def peak_rows(call: birdcalls.Call, rng: np.random.Generator) -> np.ndarray:
    """The loudest row of every frame fully inside the call, -1 where the frame is silent."""
    spectrum = power(birdcalls.spectrogram(birdcalls.call_waveform(rng, call)))
    _, _, col0, col1 = call.box()
    frames = spectrum[:, col0 + 2: col1 - 2]
    return np.where(frames.max(axis=0) > 1e-3 * frames.max(), frames.argmax(axis=0), -1)


def test_call_shapes_rise_fall_and_come_in_two_notes() -> None:
    rng = np.random.default_rng(1)
    (whistle,), (trill,), (two_note,) = (birdcalls.place_calls(rng, [s]) for s in range(3))
    rows = peak_rows(whistle, rng)
    assert rows[0] > rows[-1] + 5  # rising: the peak climbs towards row 0
    rows = peak_rows(trill, rng)
    sounding = rows[rows >= 0]
    assert sounding[0] < sounding[-1] - 5  # falling
    rows = peak_rows(two_note, rng)
    notes = sorted(set(rows[rows >= 0].tolist()))
    assert len(notes) in (2, 3, 4) and notes[-1] - notes[0] >= 3  # two pitches (a note may straddle two rows)
    assert (rows == -1).any() or rows.min() < rows.max()  # a gap or a step between the notes


def test_mixtures_hold_two_species_overlapping_in_time() -> None:
    data = birdcalls.make_dataset(20, seed=3, mixtures=True)
    for label, (louder, quieter) in zip(data.labels, data.calls, strict=True):
        assert louder.species == label != quieter.species
        overlap = min(louder.stop, quieter.stop) - max(louder.start, quieter.start)
        assert overlap > 0


def test_the_hum_marks_only_its_species() -> None:
    data = birdcalls.make_dataset(30, seed=4, hum_species=2)
    hum_row = data.images[:, birdcalls.row_of(birdcalls.HUM_HZ), :].mean(axis=1)
    other_rows = data.images[:, 10:20, :].mean(axis=(1, 2))
    with_hum = data.labels == 2
    assert (hum_row[with_hum] > other_rows[with_hum] + 15).all()
    assert (np.abs(hum_row[~with_hum] - other_rows[~with_hum]) < 15).all()
    for clip in data.calls:  # the hum lies above every call's box
        assert clip[0].box()[0] > birdcalls.row_of(birdcalls.HUM_HZ) + 2


def test_the_hum_leaves_the_clips_unchanged() -> None:
    plain = birdcalls.make_dataset(12, seed=5)
    hummed = birdcalls.make_dataset(12, seed=5, hum_species=0)
    assert np.array_equal(plain.labels, hummed.labels) and plain.calls == hummed.calls
    assert np.array_equal(plain.snr_db, hummed.snr_db)
    without = hummed.labels != 0
    assert np.array_equal(plain.images[without], hummed.images[without])
    assert not np.array_equal(plain.images[~without], hummed.images[~without])


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="n must be a positive integer"):
        birdcalls.make_dataset(0, seed=0)
    with pytest.raises(ValueError, match="hum_species must be a species index 0-2"):
        birdcalls.make_dataset(3, seed=0, hum_species=3)
    with pytest.raises(ValueError, match=r"wave must have shape \(4096,\)"):
        birdcalls.spectrogram(np.zeros(100))
