import MetaLang
