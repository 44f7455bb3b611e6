package dev.qis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The lock-ordered store runs queries inside the inner store's monitor and passes every other call through. */
class LockOrderedStoresTest {
    /** One call the inner store received: which method, with what, and whether the caller held its monitor. */
    private record Call(Method method, Object[] args, boolean heldMonitor, Object returned) {
    }

    /** A stand-in for the RocksDB store: records every call and answers each with a value of its own. */
    private static final class RecordingInner {
        final List<Call> calls = new ArrayList<>();
        final KeyValueStore<Bytes, byte[]> store;

        @SuppressWarnings("unchecked")
        RecordingInner() {
            store = (KeyValueStore<Bytes, byte[]>) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> {
                        if (method.getDeclaringClass() == Object.class) {
                            return switch (method.getName()) {
                                case "hashCode" -> System.identityHashCode(proxy);
                                case "equals" -> proxy == args[0];
                                default -> "recording inner store";
                            };
                        }
                        Object answer = answerOf(bytesTypeOf(method.getGenericReturnType()));
                        calls.add(new Call(method, args == null ? new Object[0] : args, Thread.holdsLock(proxy), answer));
                        return answer;
                    });
        }
    }

    @Test
    void aQueryRunsInsideTheInnerStoresMonitor() {
        RecordingInner inner = new RecordingInner();
        LockOrderedStores.LockOrderedStore store = new LockOrderedStores.LockOrderedStore(inner.store);
        Query<byte[]> query = KeyQuery.withKey(Bytes.wrap(new byte[] {1}));
        PositionBound bound = PositionBound.unbounded();
        QueryConfig config = new QueryConfig(false);

        QueryResult<byte[]> result = store.query(query, bound, config);

        assertEquals(1, inner.calls.size());
        Call call = inner.calls.get(0);
        assertEquals("query", call.method().getName());
        assertTrue(call.heldMonitor(), "the query ran holding the inner store's monitor");
        assertSame(query, call.args()[0]);
        assertSame(bound, call.args()[1]);
        assertSame(config, call.args()[2]);
        assertSame(call.returned(), result);
        assertFalse(Thread.holdsLock(inner.store), "the monitor is released afterwards");
    }

    /**
     * Every method of the store interfaces, including those with a default body (a new one in a later Kafka would be
     * inherited, not passed on, and fail here), reaches the inner store with the same arguments and returns its answer.
     */
    @Test
    void everyMethodReachesTheInnerStoreAndOnlyQueryHoldsItsMonitor() throws Exception {
        List<Method> methods = Arrays.stream(KeyValueStore.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .toList();
        assertTrue(methods.size() >= 20, "the interfaces' methods were found: " + methods);
        for (Method method : methods) {
            RecordingInner inner = new RecordingInner();
            LockOrderedStores.LockOrderedStore store = new LockOrderedStores.LockOrderedStore(inner.store);
            Object[] args = Arrays.stream(method.getGenericParameterTypes())
                    .map(t -> argumentOf(bytesTypeOf(t))).toArray();

            Object returned;
            try {
                returned = method.invoke(store, args);
            } catch (InvocationTargetException e) {
                throw new AssertionError(method + " failed on the wrapper", e.getCause());
            }

            assertEquals(1, inner.calls.size(), method + " reached the inner store exactly once: " + inner.calls);
            Call call = inner.calls.get(0);
            assertEquals(method.getName(), call.method().getName(), method.toString());
            assertEquals(List.of(method.getParameterTypes()), List.of(call.method().getParameterTypes()), method.toString());
            for (int i = 0; i < args.length; i++) {
                assertSame(args[i], call.args()[i], method + " argument " + i);
            }
            if (method.getReturnType().isPrimitive()) {
                assertEquals(call.returned(), returned, method + " returns the inner answer");
            } else {
                assertSame(call.returned(), returned, method + " returns the inner answer");
            }
            assertEquals(method.getName().equals("query"), call.heldMonitor(),
                    method + ": only a query holds the inner store's monitor");
        }
    }

    @Test
    void theSupplierNamesAndWrapsItsInnerStores() {
        RecordingInner inner = new RecordingInner();
        KeyValueBytesStoreSupplier given = new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return "given-store";
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return inner.store;
            }

            @Override
            public String metricsScope() {
                return "given-scope";
            }
        };
        KeyValueBytesStoreSupplier supplier = LockOrderedStores.wrapping(given);
        assertEquals("given-store", supplier.name());
        assertEquals("given-scope", supplier.metricsScope());
        KeyValueStore<Bytes, byte[]> store = supplier.get();
        assertSame(inner.store, assertInstanceOf(LockOrderedStores.LockOrderedStore.class, store).inner());
    }

    @Test
    void persistentStoresWrapTheRocksDbStoreOfTheSameName() {
        KeyValueBytesStoreSupplier plain = Stores.persistentKeyValueStore(StoreNames.PACKETS);
        KeyValueBytesStoreSupplier ordered = LockOrderedStores.persistent(StoreNames.PACKETS);
        assertEquals(plain.name(), ordered.name());
        assertEquals(plain.metricsScope(), ordered.metricsScope());
        KeyValueStore<Bytes, byte[]> store = ordered.get();
        KeyValueStore<Bytes, byte[]> rocks = assertInstanceOf(LockOrderedStores.LockOrderedStore.class, store).inner();
        assertEquals(plain.get().getClass(), rocks.getClass(), "the same store class as Stores.persistentKeyValueStore");
        assertEquals(StoreNames.PACKETS, store.name());
        assertTrue(store.persistent());
        assertFalse(store.isOpen(), "not opened before init");
    }

    /** The class a (possibly generic) type has on a {@code KeyValueStore<Bytes, byte[]>}. */
    private static Class<?> bytesTypeOf(Type type) {
        if (type instanceof TypeVariable<?> variable) {
            return switch (variable.getName()) {
                case "K" -> Bytes.class;
                case "V" -> byte[].class;
                default -> bytesTypeOf(variable.getBounds()[0]);
            };
        } else if (type instanceof ParameterizedType parameterized) {
            return (Class<?>) parameterized.getRawType();
        }
        return (Class<?>) type;
    }

    private static Object answerOf(Class<?> type) {
        if (type == void.class) {
            return null;
        } else if (type == boolean.class) {
            return true;
        } else if (type == long.class) {
            return 7L;
        } else if (type == String.class) {
            return "inner-name";
        } else if (type == byte[].class) {
            return new byte[] {4, 2};
        } else if (type == Long.class) {
            return 42L;
        } else if (type == Position.class) {
            return Position.emptyPosition();
        } else if (type == QueryResult.class) {
            return QueryResult.forResult("inner answer");
        } else if (type.isInterface()) {
            return stub(type);
        }
        throw new AssertionError("no answer for " + type);
    }

    private static Object argumentOf(Class<?> type) {
        if (type == Bytes.class) {
            return Bytes.wrap(new byte[] {9});
        } else if (type == byte[].class) {
            return new byte[] {8};
        } else if (type == List.class) {
            return new ArrayList<>();
        } else if (type == Map.class) {
            return Map.of(new TopicPartition("changelog", 0), 5L);
        } else if (type == TopicPartition.class) {
            return new TopicPartition("changelog", 1);
        } else if (type == PositionBound.class) {
            return PositionBound.unbounded();
        } else if (type == QueryConfig.class) {
            return new QueryConfig(false);
        } else if (type == Object.class) {
            return "prefix";
        } else if (type.isInterface()) {
            return stub(type);
        }
        throw new AssertionError("no argument for " + type);
    }

    private static Object stub(Class<?> type) {
        Object stub = Proxy.newProxyInstance(LockOrderedStoresTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> method.getName().equals("equals") ? proxy == args[0]
                        : method.getName().equals("hashCode") ? System.identityHashCode(proxy) : null);
        assertNotNull(stub);
        return stub;
    }
}
