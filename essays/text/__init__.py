"""Chinese text helpers shared by the importer and search: jieba set-up and normalisation.

They live here, beside the essays they read, so search (which indexes essays) and the
importer use one copy without either importing the other's internals.
"""
