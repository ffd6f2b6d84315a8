"""The one way an evaluation reaches its released (disclosure-controlled) outputs."""

from __future__ import annotations

__all__ = ["Releasable"]


class Releasable:
    """An evaluation whose outputs pass the disclosure boundary (``year`` is the report year)."""

    def released(self, threshold: int = 3, release=None):
        """The :class:`~evaluering.disclosure.release.Release` the outputs of this evaluation
        read: ``release`` when given (a project-wide one, :func:`~evaluering.disclosure.release.release_for_plans`),
        else one made for this plan alone (cached per threshold)."""
        if release is not None:
            return release
        cache = self.__dict__.setdefault("_releases", {})
        if threshold not in cache:
            from .disclosure.release import release_evaluations

            cache[threshold] = release_evaluations([self], self.year, threshold=threshold)
        return cache[threshold]
