"""Skill taxonomy and extraction: `load_taxonomy()`, `default_matcher().extract(text)`.

The Spark path lives in `talent_pulse.skills.spark` so that importing this
package never imports Spark.
"""

from talent_pulse.skills.matcher import SkillMatcher, default_matcher
from talent_pulse.skills.taxonomy import Skill, Taxonomy, TaxonomyError, load_taxonomy, parse_taxonomy

__all__ = ["Skill", "SkillMatcher", "Taxonomy", "TaxonomyError", "default_matcher", "load_taxonomy", "parse_taxonomy"]
