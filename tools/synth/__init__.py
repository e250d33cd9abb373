"""Synthetic inboxes: the committed sample and benchmark data (see generator.py)."""

from tools.synth.generator import SynthReport, synthesize_inbox

__all__ = ["SynthReport", "synthesize_inbox"]
