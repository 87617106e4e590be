// The word list of the passphrase suggester: 574 short, common, distinct English words
// (easy to read aloud and to type). Order does not matter.
export const WORDS: readonly string[] = `
able acid acorn actor adobe agent air aisle alarm album alert alley almond alpine amber angle ankle
apple april apron arch arena armor arrow art ash aspen atlas atom attic audio august autumn avenue
award axis bacon badge bagel baker balance ball bamboo banana band banjo barn barrel basil basin
basket bath beach beacon bean bear beaver bell belt bench berry bike birch bird biscuit bison blade
blanket blaze blend bloom blossom blue board boat bonnet book boot border bottle boulder bowl box
brain branch brass bread breeze brick bridge bright brook broom brush bubble bucket buffalo bugle
bundle bunny butter button cabin cable cactus cake calm camel camera camp canal candle candy canoe
canvas canyon captain card cargo carpet carrot cart castle cat cedar cello chair chalk charm cheese
cherry chess chest chimney circle city clam clay clever cliff clock cloud clover coach coast cobalt
cocoa coconut coffee comet compass copper coral cosy cotton couch country cousin cradle crane
crayon cricket crisp crown crystal cube cup curtain cushion daisy dance dawn deer delta denim
desert desk diamond dinner dock dolphin domino donkey door dove dragon drawer dream drum duck dune
dust eager eagle earth easel echo eel elbow elephant elm ember emerald engine envelope equator
evening fabric falcon fancy farm feather fence fern ferry fiddle field fig finch fire flag flame
flask fleet flint flower flute fog forest fork fossil fountain fox frame frog frost fruit galaxy
garden garlic gate gecko gem gentle giant ginger giraffe glacier glass globe glove goat gold golden
goose gorilla grain grape grass gravel guitar gull hammer happy harbor harp hat hawk hazel heart
hedge helmet hen herb heron hill hinge hippo hive honey hook horizon horse hotel house humble
iceberg igloo indigo ink insect iris island ivory ivy jacket jade jaguar jam jar jasmine jelly
jewel jigsaw jolly journal judge juice jungle kayak kettle key kind kite kitten kiwi knee knot
koala ladder lake lamp lantern laptop lava lawn leaf lemon lens letter lily lime linen lion lively
lizard llama lobster locket lotus lucky lunar lynx magnet mango maple marble market mask meadow
mellow melon menu merry metal meteor mint mirror misty mitten moon moose moss motor mountain mouse
mural museum music nail napkin nectar needle nest net nickel night noble noodle north notebook nut
oak oasis ocean octopus office olive onion opal orange orbit orchid otter oven owl oyster paddle
page paint palm panda paper parrot pasta peach peanut pear pebble pelican pen pencil pepper piano
pickle pigeon pillow pilot pine pizza planet plum pocket poem pond pony poppy potato pottery
prairie pumpkin puzzle quail quartz queen quiet quilt quiver rabbit radar radio raft rain rainbow
rapid raven reef ribbon rice ridge river road robin rocket roof rose ruby rug ruler rustic saddle
saffron sail salad salmon sand satin saucer scarf school scooter seal season shadow shell shiny
ship shoe silent silk silver sketch sky sled sleepy smooth snail snow snowy soap sock sofa spark
spider spoon spring spruce square squid stamp star statue stone storm straw stream street sugar
summit sun sunny swan sweater swift table tablet tango teapot temple tent thunder tidy tiger timber
tiny toast tomato torch tower tractor trail train tree trumpet tulip tunnel turtle umbrella unicorn
valley vanilla velvet violet violin vivid volcano voyage wagon walnut walrus warm wave whale wheat
wheel whistle wild willow window windy winter witty wizard wolf wool yacht yak yarn yellow yogurt
zebra zephyr zinc zipper
`
  .split(/\s+/)
  .filter(Boolean);
