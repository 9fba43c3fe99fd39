"""The exporters: an executed report notebook becomes the files a committee opens.

In: the executed notebook (each piece's blocks travel in its outputs, ``notebook`` reads them back) and the names
of the folder's other files. Out: bytes — ``html`` (nbconvert's HTML exporter with the ``templates/council``
template), ``pdf`` (the pieces' Typst markup under ``templates/council/report.typ``, compiled by Typst with the
bundled fonts) and ``docx`` (the Word document, written as the kernel finishes each cell). Each exporter hands the
blocks to its renderer in ``report.formats``; none reads another's output, and none fetches anything.
"""
