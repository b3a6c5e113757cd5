// placeholder: implemented by the injector work
