"""Stage 2, figures: tidy indicators become the figures and facts a committee reads.

In: the tidy indicators of a period (and of the periods before it), their figures and the register's, and a
comparison dataset's rows. Out: frames and plain values, no prose and no I/O: each indicator assessed against
its target (variance, RAG, the check of its reported status, its direction of travel: ``measure``; a period's
exports in one call: ``assessed``), the counts
and crosstabs of statuses, the front page's facts (``headlines``), each indicator's position among similar
organisations (``compare``), the register's figures applied (``register``) and a plan's milestones set against
a period (``milestones``). Every function here takes frames built in a test as readily as a real export's.
"""
