"""The command line: ``cam-explain IMAGE [IMAGE ...] [options]``, also ``python -m helpers explain ...``.

Parses and checks the options, loads the model once, explains each photo with
:func:`helpers.cli.explain.explain_image` and writes ``summary.json``. Every problem is one
line on stderr naming the file or the option, never a traceback.

Exit codes: 0 every photo explained, 1 at least one failed (the others are still
explained), 2 a usage error (nothing explained), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

from helpers import _validate
from helpers.cli.explain import METHOD_CHOICES, Explained, ExplainOptions, explain_image, failure_entry, output_names, write_summary
from helpers.images import ImageError
from helpers.methods.secam import COMPACTNESS, N_SEGMENTS, THRESHOLD
from helpers.models import DEFAULT_MODEL, MODEL_NAMES, CamModel, ModelUnavailableError, load_model
from helpers.paths import output_dir, prepared_folder

__all__ = [
    "DEFAULT_SUBFOLDER",
    "DESCRIPTION",
    "EXAMPLES",
    "OneLineParser",
    "add_explain_arguments",
    "build_explain_parser",
    "build_parser",
    "checked",
    "explain_all",
    "explain_main",
    "failure_message",
    "main",
    "one_line",
    "report",
    "run",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
T = TypeVar("T")
DEFAULT_SUBFOLDER = "explain"

EXAMPLES = """\
examples:
  {prog} cat.jpg
      top-5 CAM and SeCAM of one photo, written to outputs/explain/
  {prog} my_photos/*.jpg --method secam --topk 3 --out results
      several photos, one progress bar, results/summary.json lists them all
  {prog} coffee.png --class 967 --class 504 --segments 150
      CAMs of espresso (967) and coffee mug (504), finer superpixels (the ids after the photos)

Each photo gives <name>.png (the side-by-side figure) and <name>.npz (class_ids, labels,
probs, logits, bias, cam (k, h, w) raw; with SeCAM also segments (H, W) and secam (k, H, W)).
Exit status: 0 all photos explained, 1 some failed (the rest are explained), 2 usage error.
"""


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors are one line on stderr and exit with 2.

    Example:
        >>> import contextlib, sys
        >>> from helpers.cli.command import OneLineParser
        >>> parser = OneLineParser(prog="demo")
        >>> _ = parser.add_argument("--topk", type=int)
        >>> with contextlib.redirect_stderr(sys.stdout):  # show here what goes to stderr
        ...     try:
        ...         parser.parse_args(["--topk", "ten"])
        ...     except SystemExit as stop:
        ...         print("exit status", stop.code)
        demo: error: argument --topk: invalid int value: 'ten' (see demo --help)
        exit status 2
    """

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def checked(convert: Callable[[str], T], check: Callable[[T], None]) -> Callable[[str], T]:
    """An argparse ``type=``: convert the text, then let the helpers' own check reject it.

    Example:
        >>> from helpers import _validate
        >>> from helpers.cli.command import checked
        >>> parse_segments = checked(int, _validate.n_segments)  # the type= of --segments
        >>> parse_segments("150")
        150
        >>> parse_segments("0")
        Traceback (most recent call last):
            ...
        argparse.ArgumentTypeError: n_segments must be a positive integer (superpixels requested), got 0.
    """

    def parse(text: str) -> T:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a valid {convert.__name__}") from None
        try:
            check(value)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return value

    parse.__name__ = convert.__name__
    return parse


DESCRIPTION = ("Explain what an ImageNet classifier sees in each photo: CAM and SeCAM "
               "(CAM averaged over SLIC superpixels) of its top-k or chosen classes.")


def build_parser() -> argparse.ArgumentParser:
    """``python -m helpers`` with its one sub-command, ``explain``.

    Example:
        >>> from helpers.cli.command import build_parser
        >>> args = build_parser().parse_args(["explain", "cat.jpg", "--topk", "3"])
        >>> args.command, args.images, args.topk, args.method
        ('explain', ['cat.jpg'], 3, 'both')
    """
    parser = OneLineParser(prog="python -m helpers", description="Class activation maps from the command line.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="explain")
    prog = "python -m helpers explain"
    explain = commands.add_parser("explain", prog=prog, epilog=EXAMPLES.format(prog=prog), description=DESCRIPTION,
                                  formatter_class=argparse.RawDescriptionHelpFormatter,
                                  help="explain photos with CAM and SeCAM")
    add_explain_arguments(explain)
    return parser


def build_explain_parser(prog: str = "cam-explain") -> argparse.ArgumentParser:
    """The ``explain`` command on its own, as the ``cam-explain`` console script runs it.

    Example:
        >>> from helpers.cli.command import build_explain_parser
        >>> args = build_explain_parser().parse_args(["cat.jpg", "dog.jpg", "--class", "281", "285"])
        >>> args.images, args.class_ids, args.segments
        (['cat.jpg', 'dog.jpg'], [281, 285], 50)
    """
    parser = OneLineParser(prog=prog, epilog=EXAMPLES.format(prog=prog), description=DESCRIPTION,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    add_explain_arguments(parser)
    return parser


def add_explain_arguments(explain: argparse.ArgumentParser) -> None:
    """The ``explain`` command's arguments and options.

    Example:
        >>> import argparse
        >>> from helpers.cli.command import add_explain_arguments
        >>> parser = argparse.ArgumentParser(prog="my-tool")
        >>> add_explain_arguments(parser)
        >>> args = parser.parse_args(["photo.png", "--method", "cam", "--threshold", "0.5"])
        >>> args.images, args.method, args.threshold
        (['photo.png'], 'cam', 0.5)
    """
    explain.add_argument("images", nargs="+", metavar="IMAGE", help="photo files (PNG, JPEG, ... any Pillow reads)")
    explain.add_argument("--model", choices=MODEL_NAMES, default=None,
                         help=f"the classifier (default: $CAM_MODEL, else {DEFAULT_MODEL}, the series' model; "
                              "resnet50 needs its torchvision weights, downloaded once)")
    explain.add_argument("--method", choices=METHOD_CHOICES, default="both",
                         help="cam, secam, or both side by side (default: both)")
    classes = explain.add_mutually_exclusive_group()
    classes.add_argument("--topk", type=int, default=5, metavar="K",
                         help="explain the K most probable classes (default: 5)")
    classes.add_argument("--class", dest="class_ids", type=int, action="extend", nargs="+", metavar="ID",
                         help="explain these ImageNet class ids instead (0-999), in this order; "
                              "put them after the images: IMAGE ... --class 281 285")
    explain.add_argument("--segments", type=checked(int, _validate.n_segments), default=N_SEGMENTS, metavar="N",
                         help=f"SLIC superpixels requested (default: {N_SEGMENTS})")
    explain.add_argument("--compactness", type=checked(float, _validate.compactness), default=COMPACTNESS, metavar="M",
                         help=f"SLIC colour/space trade-off, > 0 (default: {COMPACTNESS:g})")
    explain.add_argument("--threshold", type=checked(float, _validate.threshold), default=THRESHOLD, metavar="T",
                         help=f"masks keep what is at least T x the map's maximum, 0-1 (default: {THRESHOLD:g})")
    explain.add_argument("--out", type=Path, default=None, metavar="DIR",
                         help="output folder, created if missing (default: explain/ in $CAM_OUTPUT_DIR, "
                              "else outputs/explain/ in the current folder)")
    # --topk and --class are checked once the model (and so its number of classes) is known.
    explain.set_defaults(usage_error=explain.error)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m helpers explain ...``; returns the exit status.

    Example:
        >>> import os, tempfile
        >>> import helpers
        >>> from helpers.cli import main
        >>> out = tempfile.mkdtemp()
        >>> main(["explain", str(helpers.sample_image_path("chelsea.png")), "--method", "cam", "--topk", "1", "--out", out])
        /...chelsea.png: Egyptian cat (285) 0.79 -> /...chelsea.png, /...chelsea.npz
        Explained 1 of 1 photos with efficientnet_lite0; summary: ...summary.json
        0
        >>> sorted(os.listdir(out))
        ['chelsea.npz', 'chelsea.png', 'summary.json']
    """
    return run(build_parser().parse_args(argv))


def explain_main(argv: Sequence[str] | None = None) -> int:
    """``cam-explain ...``, the console script; returns the exit status.

    Example:
        >>> import os, tempfile
        >>> import helpers
        >>> from helpers.cli import explain_main
        >>> out = tempfile.mkdtemp()
        >>> explain_main([str(helpers.sample_image_path("chelsea.png")), "--method", "cam", "--class", "282", "--out", out])
        /...chelsea.png: tiger cat (282) 0.09 -> /...chelsea.png, /...chelsea.npz
        Explained 1 of 1 photos with efficientnet_lite0; summary: ...summary.json
        0
        >>> sorted(os.listdir(out))
        ['chelsea.npz', 'chelsea.png', 'summary.json']
    """
    return run(build_explain_parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Explain the photos the parsed ``args`` name; returns the exit status.

    Example:
        >>> import os, tempfile
        >>> import helpers
        >>> from helpers.cli.command import build_explain_parser, run
        >>> out, photo = tempfile.mkdtemp(), str(helpers.sample_image_path("chelsea.png"))
        >>> run(build_explain_parser().parse_args([photo, "missing.jpg", "--method", "cam", "--topk", "1", "--out", out]))
        /...chelsea.png: Egyptian cat (285) 0.79 -> /...chelsea.png, /...chelsea.npz
        Explained 1 of 2 photos with efficientnet_lite0 (1 failed: missing.jpg); summary: ...summary.json
        1
        >>> sorted(os.listdir(out))  # the other photo is still explained
        ['chelsea.npz', 'chelsea.png', 'summary.json']
    """
    options = ExplainOptions(method=args.method, topk=args.topk,
                             class_ids=tuple(args.class_ids) if args.class_ids else None,
                             n_segments=args.segments, compactness=args.compactness, threshold=args.threshold)
    try:
        model = load_model(args.model)
    except ModelUnavailableError as error:
        print(f"error: --model {args.model or 'resnet50'}: {one_line(error)}", file=sys.stderr)
        return EXIT_FAILED
    try:
        options.check(model.num_classes)
    except ValueError as error:
        option = "--class" if options.class_ids else "--topk"
        args.usage_error(f"argument {option}: {error} ({model.name})")
    try:
        out_dir = prepared_folder(args.out or output_dir() / DEFAULT_SUBFOLDER)
    except OSError as error:
        args.usage_error(f"argument --out: {error}")
    try:
        return explain_all(model, args.images, options, out_dir)
    except KeyboardInterrupt:
        print("interrupted: files of the photo in progress were not written", file=sys.stderr)
        return EXIT_INTERRUPTED


def explain_all(model: CamModel, images: Sequence[str], options: ExplainOptions, out_dir: Path) -> int:
    """Explain every photo, report each on one line, write ``summary.json``; the exit status.

    Example:
        >>> import os, tempfile
        >>> from pathlib import Path
        >>> import helpers
        >>> from helpers.cli.command import explain_all
        >>> from helpers.cli.explain import ExplainOptions
        >>> out, photos = Path(tempfile.mkdtemp()), [str(helpers.sample_image_path("chelsea.png"))]
        >>> explain_all(helpers.load_model(), photos, ExplainOptions(method="cam", topk=1), out)
        /...chelsea.png: Egyptian cat (285) 0.79 -> /...chelsea.png, /...chelsea.npz
        Explained 1 of 1 photos with efficientnet_lite0; summary: ...summary.json
        0
        >>> sorted(os.listdir(out))
        ['chelsea.npz', 'chelsea.png', 'summary.json']
    """
    entries: list[dict[str, object]] = []
    names = output_names(images)
    with tqdm(total=len(images), desc="explain", unit="photo", file=sys.stderr,
              disable=True if len(images) < 2 else None,  # None: shown when stderr is a terminal
              dynamic_ncols=True) as progress:
        for image, name in zip(images, names, strict=True):
            progress.set_postfix_str(Path(image).name, refresh=False)
            try:
                result = explain_image(model, image, options, out_dir, name)
            except Exception as error:
                message = failure_message(image, error)
                tqdm.write(f"error: {message}", file=sys.stderr)
                entries.append(failure_entry(image, message))
            else:
                tqdm.write(report(result), file=sys.stdout)
                entries.append(result.as_json())
            progress.update()
    summary = write_summary(out_dir / "summary.json", model, options, entries)
    failed = [str(entry["image"]) for entry in entries if entry["status"] == "failed"]
    failures = f" ({len(failed)} failed: {', '.join(failed)})" if failed else ""
    print(f"Explained {len(images) - len(failed)} of {len(images)} photos with {model.name}{failures}; summary: {summary}")
    return EXIT_FAILED if failed else EXIT_OK


def report(result: Explained) -> str:
    """``"images/chelsea.png: Egyptian cat (285) 0.79, tiger cat (282) 0.09 -> a.png, a.npz"``.

    Example:
        >>> from helpers.cli.command import report
        >>> from helpers.cli.explain import Explained
        >>> result = Explained(image="images/chelsea.png", size=(300, 451), class_ids=(285, 282), labels=("Egyptian cat", "tiger cat"),
        ...                    probs=(0.786, 0.090), files=("a.png", "a.npz"))  # as explain_image returns it
        >>> report(result)
        'images/chelsea.png: Egyptian cat (285) 0.79, tiger cat (282) 0.09 -> a.png, a.npz'
    """
    classes = ", ".join(f"{label} ({i}) {p:.2f}" for i, label, p in zip(result.class_ids, result.labels, result.probs, strict=True))
    return f"{result.image}: {classes} -> {', '.join(result.files)}"


def failure_message(image: str, error: Exception) -> str:
    """One line naming the photo and what went wrong; the error's type too when it is unexpected.

    Example:
        >>> from helpers.cli.command import failure_message
        >>> failure_message("cat.jpg", ValueError("topk must be an integer from 1 to 1000"))  # expected: the photo and the message
        'cat.jpg: topk must be an integer from 1 to 1000'
        >>> failure_message("cat.jpg", RuntimeError("out of\\n  memory"))  # unexpected: its type too, on one line
        'cat.jpg: RuntimeError: out of memory'
    """
    text = one_line(error)
    if not isinstance(error, (ImageError, ValueError, OSError, MemoryError)):
        text = f"{type(error).__name__}: {text}"
    return text if str(image) in text else f"{image}: {text}"


def one_line(error: BaseException) -> str:
    """An exception's message on one line (the helpers' messages may span several).

    Example:
        >>> from helpers.cli.command import one_line
        >>> one_line(ValueError("Unknown model 'vgg'.\\n    Choose one of: resnet50, efficientnet_lite0."))
        "Unknown model 'vgg'. Choose one of: resnet50, efficientnet_lite0."
        >>> one_line(KeyboardInterrupt())  # no message: its type
        'KeyboardInterrupt'
    """
    return " ".join(str(error).split()) or type(error).__name__
