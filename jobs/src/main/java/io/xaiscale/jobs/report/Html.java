package io.xaiscale.jobs.report;

import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Locale;
import java.util.Map;

/**
 * The report's pages from FreeMarker templates ({@code src/main/resources/report/*.ftlh}): the
 * {@code .ftlh} extension turns on HTML auto-escaping, so every value (a class name, a method spec,
 * a finding's detail) is written as text; only chart data, already made safe by {@link Charts#json},
 * is inserted raw.
 */
final class Html {
    private static final Configuration CONFIG = configuration();

    private Html() {}

    private static Configuration configuration() {
        Configuration c = new Configuration(Configuration.VERSION_2_3_34);
        c.setClassForTemplateLoading(Html.class, "/report");
        c.setDefaultEncoding("UTF-8");
        c.setLocale(Locale.ROOT);
        c.setNumberFormat("0.####");
        c.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        c.setLogTemplateExceptions(false);
        c.setWrapUncheckedExceptions(true);
        c.setFallbackOnNullLoopVariable(false);
        return c;
    }

    static String render(String template, Map<String, Object> model) throws IOException {
        Template t = CONFIG.getTemplate(template);
        StringWriter out = new StringWriter();
        try {
            t.process(model, out);
        } catch (TemplateException e) {
            throw new IllegalStateException("report template " + template + ": " + e.getMessage(), e);
        }
        return out.toString();
    }
}
