"""The facts a report states, each computed from the indicators as ``indicators.csv`` holds them and written by a
rule that makes its words true of its figures (``statements``).

Every fact's ``compute`` takes the indicators and its params and returns (figures, refs); its words take the
figures and params and return the sentence, or None when there is nothing to say. A group (a directorate, a
service, an agency: the organisation's ``group_word``) is named only where the export gives one; "most" is said
only of more than half; a figure is called missing only where it is. ``front``: the front page's; ``body``: the
body's and the annex's; ``compare``: the comparison's, computed from ``benchmark.csv``; ``spc``: the SPC's, from
``spc.csv``. Importing the package registers every fact (``statements.FACTS``).
"""

from pipeline.figures.facts import body, compare, front, spc  # noqa: F401  (each registers its facts)
