"""The renderers: the report's blocks (``report.blocks``) written in one format each.

In: a piece's blocks (headings, paragraphs, typed tables, figures, with their anchors made once in the blocks).
Out: text or a document — ``html`` (escaped HTML), ``typst`` (escaped Typst markup for the PDF), ``docx`` (a Word
document through python-docx); ``markdown`` reads a notebook's markdown cell into blocks for the printed forms,
``page`` is the printed page (A4, margins, type sizes) every printed form is set on and ``columns`` the printed
tables' column widths, which the Typst and Word renderers both take so that a table is laid out alike on paper in
both. A renderer reads blocks only, and imports no other renderer.
"""
