package io.highlander.cdi.internal.lite;

import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.NodeBootstrap;
import io.highlander.cdi.internal.context.ClusterSingletonContext;
import io.highlander.cdi.internal.context.ClusterSingletonScoped;
import io.highlander.cdi.internal.discovery.SingletonDefinition;
import io.highlander.cdi.internal.election.Elections;
import jakarta.enterprise.context.spi.Context;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.build.compatible.spi.Parameters;
import jakarta.enterprise.inject.build.compatible.spi.SyntheticBeanCreator;
import jakarta.enterprise.inject.build.compatible.spi.SyntheticBeanDisposer;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes the node's {@link Elections} (the {@code LeaderElector} bean) at run time, from what the build-compatible
 * extension found: the same set-up as the portable extension's ({@link NodeBootstrap}), except that the
 * application's own default DataSource bean may serve (see {@code DataSourceLocator}). It is first asked for at
 * start-up ({@link ApplicationLifecycle}), so that a misconfiguration stops the application from starting.
 */
public final class ElectionsCreator implements SyntheticBeanCreator<Elections> {

    /** Parameter: the singletons' names. */
    static final String NAMES = "names";
    /** Parameter: the singletons' classes, in the order of {@link #NAMES}. */
    static final String CLASSES = "classes";
    /** Parameter: the names of the bean-less elections ({@code @LeaderOnly} names without a singleton). */
    static final String BEANLESS = "beanless";

    @Override
    public Elections create(Instance<Object> lookup, Parameters parameters) {
        String[] names = parameters.get(NAMES, String[].class);
        Class<?>[] classes = parameters.get(CLASSES, Class[].class);
        List<SingletonDefinition> definitions = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            definitions.add(new SingletonDefinition(names[i], classes[i]));
        }
        for (String name : parameters.get(BEANLESS, String[].class)) {
            definitions.add(new SingletonDefinition(name, null));
        }
        BeanManager beanManager = lookup.select(BeanManager.class).get();
        return NodeBootstrap.prepare(beanManager, definitions, beans(beanManager, Set.of(classes)),
                context(beanManager), true);
    }

    /** The singletons' beans: every bean of the cluster-singleton scope whose class was found at build time. */
    private static Map<Class<?>, Bean<?>> beans(BeanManager beanManager, Set<Class<?>> classes) {
        Map<Class<?>, Bean<?>> beans = new HashMap<>();
        for (Bean<?> bean : beanManager.getBeans(Object.class, Any.Literal.INSTANCE)) {
            if (bean.getScope() == ClusterSingletonScoped.class && classes.contains(bean.getBeanClass())) {
                beans.put(bean.getBeanClass(), bean);
            }
        }
        return beans;
    }

    /**
     * The context the container made from the class the extension registered. ArC hands it over as it is (a
     * subclass it generates); Weld wraps contexts, and each wrapper names its delegate.
     */
    private static ClusterSingletonContext context(BeanManager beanManager) {
        Context context = beanManager.getContext(ClusterSingletonScoped.class);
        for (int depth = 0; depth < 5 && !(context instanceof ClusterSingletonContext); depth++) {
            try {
                context = (Context) context.getClass().getMethod("delegate").invoke(context);
            } catch (ReflectiveOperationException | RuntimeException e) {
                break;
            }
        }
        if (context instanceof ClusterSingletonContext ours) {
            return ours;
        }
        throw new IllegalStateException(Messages.foreignContext(context.getClass().getName()));
    }

    /** Stops the elections when the container destroys the bean, should the shutdown event not have done it. */
    public static final class Disposer implements SyntheticBeanDisposer<Elections> {
        @Override
        public void dispose(Elections elections, Instance<Object> lookup, Parameters parameters) {
            elections.close();
        }
    }
}
