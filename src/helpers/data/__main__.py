"""`make validate`: check data/ only, print every problem (and warning), exit non-zero when invalid."""

from __future__ import annotations

from helpers.data.package import DataValidationError, load_package, print_warnings


def validate_cli() -> int:
    """`make validate`: print every problem and exit non-zero, or say what was checked."""
    try:
        pkg = load_package()
    except DataValidationError as exc:
        print(exc)
        return 1
    counts = ", ".join(
        f"{len(getattr(pkg, n))} {n}" for n in ("observations", "events", "metrics", "entities", "markets", "sources", "sections", "corrections")
    )
    print(f"data package is valid: {counts} ({pkg.data_dir.name}/)")
    print_warnings(pkg)
    return 0


if __name__ == "__main__":
    raise SystemExit(validate_cli())
