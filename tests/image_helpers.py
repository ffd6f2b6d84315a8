"""A small real PNG for tests of outputs that embed images (export, audit)."""

from __future__ import annotations

import base64
import io


def png_base64() -> str:
    """A tiny matplotlib line plot as base64 PNG text (Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([1, 2], [1, 2])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()
